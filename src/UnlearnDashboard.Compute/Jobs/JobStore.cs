using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Stores jobs and their events, then publishes the events to live watchers. Every state change that
/// ends a job is one transaction together with its final event. Submission, start and end are recorded in
/// the audit trail after they are stored and before watchers hear of them, so a client that has seen a job
/// end finds its audit entry.
/// </summary>
public sealed class JobStore(IDbContextFactory<ComputeDbContext> dbFactory, JobEventHub hub, AuditTrail audit)
{
    public async Task InsertAsync(JobRow job, Proto.JobEvent firstEvent, string actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        job.LastSequence = firstEvent.Sequence;
        db.Jobs.Add(job);
        db.JobEvents.Add(ToRow(firstEvent));
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.JobSubmit, Subject(job.Id), new Dictionary<string, object?>
        {
            ["kind"] = ((Proto.JobKind)job.Kind).ToString(),
            ["dataset_id"] = job.DatasetId,
            ["model_version_id"] = job.ModelVersionId,
            ["request_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(job.Request)),
        });
        hub.Publish(job.Id, [firstEvent]);
    }

    /// <summary>Stores progress events in one transaction and advances the job's last sequence.</summary>
    public async Task AppendAsync(string jobId, IReadOnlyList<Proto.JobEvent> events, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.FirstAsync(j => j.Id == jobId, cancellationToken);
        db.JobEvents.AddRange(events.Select(ToRow));
        job.LastSequence = events[^1].Sequence;
        await db.SaveChangesAsync(cancellationToken);
        hub.Publish(jobId, events);
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

    public async Task MarkRunningAsync(string jobId, DateTime startedAt, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.FirstAsync(j => j.Id == jobId, cancellationToken);
        job.State = (int)Proto.JobState.Running;
        job.StartedAt = startedAt;
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(AuditActors.System, AuditActions.JobStart, Subject(jobId), new Dictionary<string, object?>
        {
            ["kind"] = ((Proto.JobKind)job.Kind).ToString(),
        });
    }

    /// <summary>Ends a job that did not succeed, storing its <c>ended</c> event in the same transaction.</summary>
    public async Task EndAsync(string jobId, Proto.JobEvent endedEvent, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.FirstAsync(j => j.Id == jobId, cancellationToken);
        job.State = (int)endedEvent.Ended.State;
        job.Error = endedEvent.Ended.Message;
        job.FinishedAt = endedEvent.Time.ToDateTime();
        job.LastSequence = endedEvent.Sequence;
        db.JobEvents.Add(ToRow(endedEvent));
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(AuditActors.System, AuditActions.JobEnd, Subject(jobId), new Dictionary<string, object?>
        {
            ["state"] = endedEvent.Ended.State.ToString(),
            ["message"] = endedEvent.Ended.Message,
        });
        hub.Publish(jobId, [endedEvent]);
    }

    /// <summary>
    /// Commits a successful job in one transaction: the new model (for training), the new version, the job's
    /// result and its final event, and the dataset's default version when it has none yet.
    /// </summary>
    public async Task SucceedAsync(
        string jobId,
        ModelRow? newModel,
        ModelVersionRow version,
        Proto.JobEvent resultEvent,
        bool setDatasetDefault,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.Jobs.FirstAsync(j => j.Id == jobId, cancellationToken);
        if (newModel is not null)
            db.Models.Add(newModel);
        db.ModelVersions.Add(version);
        if (job.Kind == (int)Proto.JobKind.Train)
            job.ModelVersionId = version.Id;
        job.State = (int)Proto.JobState.Succeeded;
        job.Result = resultEvent.Result.ToByteArray();
        job.FinishedAt = resultEvent.Time.ToDateTime();
        job.LastSequence = resultEvent.Sequence;
        db.JobEvents.Add(ToRow(resultEvent));
        if (setDatasetDefault)
        {
            var dataset = await db.Datasets.FirstAsync(d => d.Id == job.DatasetId, cancellationToken);
            dataset.DefaultModelVersionId ??= version.Id;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.TryAppendAsync(AuditActors.System, AuditActions.JobEnd, Subject(jobId), new Dictionary<string, object?>
        {
            ["state"] = nameof(Proto.JobState.Succeeded),
            ["model_version_id"] = version.Id,
            ["parent_version_id"] = version.ParentVersionId,
            ["weights_sha256"] = version.WeightsSha256,
            ["removed_sample_count"] = version.RemovedSampleCount,
        });
        hub.Publish(jobId, [resultEvent]);
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

    private static JobEventRow ToRow(Proto.JobEvent jobEvent) => new()
    {
        JobId = jobEvent.JobId,
        Sequence = jobEvent.Sequence,
        Time = jobEvent.Time.ToDateTime(),
        Payload = jobEvent.ToByteArray(),
    };
}
