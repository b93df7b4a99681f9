using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Stores jobs and their events, then publishes the events to live watchers. Every state change that
/// ends a job is one transaction together with its final event and its audit entry, so a client that has seen
/// a job end, by any route, finds its audit entry. Submission and start are recorded in the audit trail after
/// they are stored and before watchers hear of them.
/// </summary>
/// <remarks>
/// On SQLite the events go straight to this process's <see cref="JobEventHub"/>. On PostgreSQL, where several
/// servers share the jobs, the store sends a notification on <see cref="EventsChannel"/> instead, and every
/// server's <see cref="JobNotificationListener"/> reads the new events back and publishes them, so a watcher on
/// any server sees them. Methods that take a <see cref="JobLease"/> write only while that lease still holds the
/// job, and throw <see cref="JobLeaseLostException"/> once another server has taken it over.
/// </remarks>
public sealed class JobStore(
    IDbContextFactory<ComputeDbContext> dbFactory,
    JobEventHub hub,
    AuditTrail audit,
    IOptions<ComputeOptions> options,
    ILogger<JobStore> logger)
{
    /// <summary>PostgreSQL notification channel whose payload is the id of a job with new stored events.</summary>
    public const string EventsChannel = "unlearn_job_events";

    /// <summary>Key of the PostgreSQL advisory lock that makes counting the queue and adding to it one step.</summary>
    private const long QueueLockKey = 0x756E_6C65_6172_6E02;

    /// <summary>True when jobs live in a PostgreSQL database that several compute servers may share.</summary>
    public bool IsShared { get; } = options.Value.Database.IsPostgres;

    /// <summary>
    /// Stores a new queued job with its first event. With <paramref name="queueLimit"/> set, the job is stored
    /// only while fewer than that many jobs of any server are queued, and false is returned otherwise.
    /// </summary>
    public async Task<bool> InsertAsync(JobRow job, Proto.JobEvent firstEvent, string actor, CancellationToken cancellationToken, int? queueLimit = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await BeginIfSharedAsync(db, cancellationToken);
        if (queueLimit is { } limit)
        {
            // The transaction-scoped lock serialises submissions on every server until the insert commits.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({QueueLockKey})", cancellationToken);
            int queued = await db.Jobs.CountAsync(j => j.State == (int)Proto.JobState.Queued, cancellationToken);
            if (queued >= limit)
                return false;
        }

        job.LastSequence = firstEvent.Sequence;
        db.Jobs.Add(job);
        db.JobEvents.Add(ToRow(firstEvent));
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
            await transaction.CommitAsync(cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.JobSubmit, Subject(job.Id), new Dictionary<string, object?>
        {
            ["kind"] = ((Proto.JobKind)job.Kind).ToString(),
            ["dataset_id"] = job.DatasetId,
            ["model_version_id"] = job.ModelVersionId,
            ["request_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(job.Request)),
        });
        await PublishAsync(job.Id, [firstEvent]);
        return true;
    }

    /// <summary>Stores progress events in one transaction and advances the job's last sequence.</summary>
    public async Task AppendAsync(string jobId, IReadOnlyList<Proto.JobEvent> events, CancellationToken cancellationToken, JobLease? lease = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await BeginIfSharedAsync(db, cancellationToken);
        var job = await FindForUpdateAsync(db, jobId, lease, cancellationToken);
        db.JobEvents.AddRange(events.Select(ToRow));
        job.LastSequence = events[^1].Sequence;
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
            await transaction.CommitAsync(cancellationToken);
        await PublishAsync(jobId, events);
    }

    public async Task<JobRow?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
    }

    public async Task<IReadOnlyList<JobRow>> ListAsync(Proto.JobState? state, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking();
        if (state is { } filter)
            query = query.Where(j => j.State == (int)filter);
        return await query.OrderByDescending(j => j.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Returns the stored events with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    public async Task<IReadOnlyList<Proto.JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var payloads = await db.JobEvents.AsNoTracking()
            .Where(e => e.JobId == jobId && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence)
            .Select(e => e.Payload)
            .ToListAsync(cancellationToken);
        return payloads.Select(Proto.JobEvent.Parser.ParseFrom).ToList();
    }

    /// <summary>
    /// Marks a job as running and records its start in the audit trail, with the lease's server and attempt
    /// when the job came from the shared queue.
    /// </summary>
    public async Task MarkRunningAsync(string jobId, DateTime startedAt, CancellationToken cancellationToken, JobLease? lease = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await BeginIfSharedAsync(db, cancellationToken);
        var job = await FindForUpdateAsync(db, jobId, lease, cancellationToken);
        job.State = (int)Proto.JobState.Running;
        job.StartedAt = startedAt;
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
            await transaction.CommitAsync(cancellationToken);
        var details = new Dictionary<string, object?> { ["kind"] = ((Proto.JobKind)job.Kind).ToString() };
        if (lease is not null)
        {
            details["lease_owner"] = lease.Owner;
            details["attempt"] = lease.Attempt;
        }

        await audit.TryAppendAsync(AuditActors.System, AuditActions.JobStart, Subject(jobId), details);
    }

    /// <summary>
    /// Ends a job that did not succeed, storing its <c>ended</c> event and its audit entry in the same transaction.
    /// </summary>
    public async Task EndAsync(string jobId, Proto.JobEvent endedEvent, CancellationToken cancellationToken, JobLease? lease = null)
    {
        await audit.CommitWithEntryAsync(async (db, token) =>
        {
            var job = await FindForUpdateAsync(db, jobId, lease, token);
            job.LeaseOwner = null;
            job.LeaseExpiresAt = null;
            return StoreEnd(db, job, endedEvent);
        }, cancellationToken);
        await PublishAsync(jobId, [endedEvent]);
    }

    /// <summary>
    /// Ends a job as <paramref name="makeEvent"/> describes if it is still queued, locking its row so that no
    /// server takes it meanwhile. Returns false, storing nothing, when the job is not queued.
    /// </summary>
    public async Task<bool> EndIfQueuedAsync(string jobId, Func<long, Proto.JobEvent> makeEvent, CancellationToken cancellationToken)
    {
        Proto.JobEvent? endedEvent = null;
        await audit.CommitWithEntryAsync(async (db, token) =>
        {
            var job = await FindForUpdateAsync(db, jobId, lease: null, token);
            if (job.State != (int)Proto.JobState.Queued)
                return null;

            endedEvent = makeEvent(job.LastSequence + 1);
            return StoreEnd(db, job, endedEvent);
        }, cancellationToken);
        if (endedEvent is null)
            return false;

        await PublishAsync(jobId, [endedEvent]);
        return true;
    }

    /// <summary>Records the job's end and its final event, and returns the audit entry that goes with them.</summary>
    private static AuditRecord StoreEnd(ComputeDbContext db, JobRow job, Proto.JobEvent endedEvent)
    {
        job.State = (int)endedEvent.Ended.State;
        job.Error = endedEvent.Ended.Message;
        job.FinishedAt = endedEvent.Time.ToDateTime();
        job.LastSequence = endedEvent.Sequence;
        db.JobEvents.Add(ToRow(endedEvent));
        return new AuditRecord(AuditActors.System, AuditActions.JobEnd, Subject(job.Id), new Dictionary<string, object?>
        {
            ["state"] = endedEvent.Ended.State.ToString(),
            ["message"] = endedEvent.Ended.Message,
        });
    }

    /// <summary>
    /// Puts a running job back in the shared queue, with the progress event that <paramref name="makeEvent"/>
    /// builds, so that any server runs it again from the start. Used when a server stops while it runs a job.
    /// </summary>
    public async Task ReleaseAsync(string jobId, JobLease lease, Func<long, Proto.JobEvent> makeEvent, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await BeginIfSharedAsync(db, cancellationToken);
        var job = await FindForUpdateAsync(db, jobId, lease, cancellationToken);
        var queuedEvent = makeEvent(job.LastSequence + 1);
        job.State = (int)Proto.JobState.Queued;
        job.StartedAt = null;
        job.LeaseOwner = null;
        job.LeaseExpiresAt = null;
        job.LastSequence = queuedEvent.Sequence;
        db.JobEvents.Add(ToRow(queuedEvent));
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
            await transaction.CommitAsync(cancellationToken);
        await PublishAsync(jobId, [queuedEvent]);
    }

    /// <summary>
    /// Commits a successful job in one transaction: the new model (for training), the new version, the job's
    /// result, its final event and its audit entry, the dataset's default version when it has none yet, and whatever
    /// <paramref name="alsoInTransaction"/> changes (an erasure's dataset version and certificate).
    /// <paramref name="beforePublish"/> runs after the commit and before watchers hear of the end, so what it
    /// records is in place for a client that has seen the job end.
    /// </summary>
    public async Task SucceedAsync(
        string jobId,
        ModelRow? newModel,
        ModelVersionRow version,
        Proto.JobEvent resultEvent,
        bool setDatasetDefault,
        CancellationToken cancellationToken,
        JobLease? lease = null,
        Func<ComputeDbContext, CancellationToken, Task>? alsoInTransaction = null,
        Func<Task>? beforePublish = null)
    {
        await audit.CommitWithEntryAsync(async (db, token) =>
        {
            var job = await FindForUpdateAsync(db, jobId, lease, token);
            if (newModel is not null)
                db.Models.Add(newModel);
            db.ModelVersions.Add(version);
            if (job.Kind == (int)Proto.JobKind.Train)
                job.ModelVersionId = version.Id;
            job.State = (int)Proto.JobState.Succeeded;
            job.Result = resultEvent.Result.ToByteArray();
            job.FinishedAt = resultEvent.Time.ToDateTime();
            job.LastSequence = resultEvent.Sequence;
            job.LeaseOwner = null;
            job.LeaseExpiresAt = null;
            db.JobEvents.Add(ToRow(resultEvent));
            if (setDatasetDefault)
            {
                var dataset = await db.Datasets.FirstAsync(d => d.Id == job.DatasetId, token);
                dataset.DefaultModelVersionId ??= version.Id;
            }

            if (alsoInTransaction is not null)
                await alsoInTransaction(db, token);
            return new AuditRecord(AuditActors.System, AuditActions.JobEnd, Subject(jobId), new Dictionary<string, object?>
            {
                ["state"] = nameof(Proto.JobState.Succeeded),
                ["model_version_id"] = version.Id,
                ["parent_version_id"] = version.ParentVersionId,
                ["weights_sha256"] = version.WeightsSha256,
                ["removed_sample_count"] = version.RemovedSampleCount,
            });
        }, cancellationToken);
        if (beforePublish is not null)
            await beforePublish();
        await PublishAsync(jobId, [resultEvent]);
    }

    /// <summary>Returns the jobs that a previous run of the server left queued or running.</summary>
    public async Task<IReadOnlyList<JobRow>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking()
            .Where(j => j.State == (int)Proto.JobState.Queued || j.State == (int)Proto.JobState.Running)
            .ToListAsync(cancellationToken);
    }

    private static string Subject(string jobId) => $"job/{jobId}";

    /// <summary>Returns true when a committed model version has weights with this SHA-256.</summary>
    public async Task<bool> IsWeightsInUseAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.AnyAsync(v => v.WeightsSha256 == sha256, cancellationToken);
    }

    /// <summary>
    /// Loads a job's row to change it. On PostgreSQL the row stays locked until the caller's transaction ends, and
    /// a <paramref name="lease"/> that no longer holds the job throws <see cref="JobLeaseLostException"/>.
    /// </summary>
    private static async Task<JobRow> FindForUpdateAsync(ComputeDbContext db, string jobId, JobLease? lease, CancellationToken cancellationToken)
    {
        // FromSql is not composed with another operator, because PostgreSQL rejects FOR UPDATE in a subquery here.
        var job = db.Database.IsNpgsql()
            ? (await db.Jobs.FromSql($"SELECT * FROM jobs WHERE \"Id\" = {jobId} FOR UPDATE").ToListAsync(cancellationToken)).Single()
            : await db.Jobs.FirstAsync(j => j.Id == jobId, cancellationToken);
        if (lease is not null && (job.LeaseOwner != lease.Owner || job.Attempts != lease.Attempt))
            throw new JobLeaseLostException(jobId);
        return job;
    }

    /// <summary>
    /// Begins a transaction on PostgreSQL, so that a row lock lasts until the write. SQLite gets none: there a
    /// read that later writes inside one transaction fails at once when another writer got in between.
    /// </summary>
    private static async Task<IDbContextTransaction?> BeginIfSharedAsync(ComputeDbContext db, CancellationToken cancellationToken) =>
        db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(cancellationToken) : null;

    /// <summary>Hands stored events to watchers: directly on SQLite, through a PostgreSQL notification when shared.</summary>
    private async Task PublishAsync(string jobId, IReadOnlyList<Proto.JobEvent> events)
    {
        if (!IsShared)
        {
            hub.Publish(jobId, events);
            return;
        }

        // The events are stored already, so a failed notification must not fail the caller. The listeners also
        // read the stored events of watched jobs every few seconds, so watchers get them after a short delay.
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({EventsChannel}, {jobId})", CancellationToken.None);
        }
        catch (Exception error) when (error is Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.JobNotificationFailed(error, jobId);
        }
    }

    private static JobEventRow ToRow(Proto.JobEvent jobEvent) => new()
    {
        JobId = jobEvent.JobId,
        Sequence = jobEvent.Sequence,
        Time = jobEvent.Time.ToDateTime(),
        Payload = jobEvent.ToByteArray(),
    };
}
