using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Erasures;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Jobs.Worker;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Queues jobs and runs them on <see cref="JobOptions.MaxConcurrent"/> workers through the
/// <see cref="IJobRunner"/>. On SQLite the queue is in this process: at start the scheduler removes the weights
/// of commits that a previous run left unfinished and marks that run's unfinished jobs as interrupted; such a
/// job can be run again by submitting its request (<c>Job.train_request</c> or <c>Job.debias_request</c>) anew.
/// On PostgreSQL the queue is the jobs table that several servers share (see <c>JobScheduler.Shared.cs</c>).
/// </summary>
public sealed partial class JobScheduler(
    JobStore store,
    PostgresJobQueue sharedQueue,
    IJobRunner runner,
    ArtifactStore artifacts,
    DatasetCatalog datasets,
    ModelCatalog models,
    CounterfactualCatalog counterfactuals,
    CommitJournal journal,
    ErasureCommitter erasures,
    IOptions<JobOptions> options,
    IOptions<FaultInjectionOptions> faults,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<JobScheduler> logger) : BackgroundService
{
    private const string UnexpectedFailureMessage = "The job failed unexpectedly; the error is in the server log.";

    // CancelJob waits this long for a running job to stop before it returns the job's current state.
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(10);

    private readonly JobOptions _options = options.Value;
    private readonly Channel<ActiveJob> _queue = Channel.CreateUnbounded<ActiveJob>();
    private readonly ConcurrentDictionary<string, ActiveJob> _active = new();
    private int _queuedCount;

    /// <summary>Jobs this server has queued or is running.</summary>
    public int ActiveCount => _active.Count;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (faults.Value is { Dataset: { Length: > 0 } faultDataset } fault)
            logger.FaultInjectionEnabled(faultDataset, fault.Action.ToString(), fault.Occurrence, fault.Phase ?? "");

        if (store.IsShared)
        {
            await StartSharedAsync(cancellationToken);
            await base.StartAsync(cancellationToken);
            return;
        }

        await journal.RecoverAsync(cancellationToken);
        foreach (var job in await store.ListUnfinishedAsync(cancellationToken))
        {
            var ended = JobEvents.Ended(job.Id, job.LastSequence + 1, time.GetUtcNow(), Proto.JobState.Interrupted,
                "The server stopped before the job finished; nothing it did was kept. Submit it again.");
            await store.EndAsync(job.Id, ended, cancellationToken);
            logger.JobInterrupted(job.Id, ProtoNames.Of((Proto.JobState)job.State));
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>Creates the row of a new queued job; <see cref="SubmitAsync"/> stores it.</summary>
    public JobRow CreateJob(Proto.JobKind kind, IMessage request, string datasetId, string? modelVersionId) => new()
    {
        Id = Guid.CreateVersion7().ToString(),
        Kind = (int)kind,
        State = (int)Proto.JobState.Queued,
        Request = request.ToByteArray(),
        DatasetId = datasetId,
        ModelVersionId = modelVersionId,
        CreatedAt = time.GetUtcNow().UtcDateTime,
    };

    /// <summary>
    /// Stores a new job as queued with its first event and queues it. Throws RESOURCE_EXHAUSTED when
    /// <see cref="JobOptions.MaxQueued"/> jobs already wait.
    /// </summary>
    public async Task<JobRow> SubmitAsync(JobRow job, double? deadlineSeconds, string actor, CancellationToken cancellationToken)
    {
        job.DeadlineSeconds = deadlineSeconds;
        if (store.IsShared)
            return await SubmitSharedAsync(job, actor, cancellationToken);

        if (Interlocked.Increment(ref _queuedCount) > _options.MaxQueued)
        {
            Interlocked.Decrement(ref _queuedCount);
            throw QueueFull();
        }

        // Registered before the row is stored, so a CancelJob that follows the insert at once finds it.
        var active = new ActiveJob(job.Id, deadlineSeconds, time, lifetime.ApplicationStopping);
        _active[job.Id] = active;
        try
        {
            job.State = (int)Proto.JobState.Queued;
            var queued = JobEvents.Progress(job.Id, 1, time.GetUtcNow(), new ProgressUpdate("queued", 0, "Waiting for a worker"));
            await store.InsertAsync(job, queued, actor, cancellationToken);
        }
        catch
        {
            _active.TryRemove(job.Id, out _);
            Interlocked.Decrement(ref _queuedCount);
            active.Dispose();
            throw;
        }

        _queue.Writer.TryWrite(active);
        logger.JobQueued(job.Id, ((Proto.JobKind)job.Kind).ToString(), job.DatasetId);
        return job;
    }

    /// <summary>
    /// Cancels a queued or running job and waits briefly for it to stop. Throws NOT_FOUND for an unknown
    /// job and FAILED_PRECONDITION for one that has already ended.
    /// </summary>
    public async Task<JobRow> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_active.TryGetValue(jobId, out var active) && store.IsShared)
            return await CancelSharedAsync(jobId, cancellationToken);

        if (active is null)
        {
            var stored = await store.FindAsync(jobId, cancellationToken)
                         ?? throw RpcErrors.NotFound($"Job '{jobId}' (job_id) was not found; 'unlearn jobs list' (ListJobs) shows the existing ones.");
            throw RpcErrors.FailedPrecondition("job_id",
                $"Job {jobId} has already ended as {ProtoNames.Of((Proto.JobState)stored.State)}; only a queued or running job can be cancelled.");
        }

        logger.JobCancelRequested(jobId);
        bool started;
        bool endWhileQueued;
        lock (active.Gate)
        {
            started = active.Started;
            endWhileQueued = !started && !active.CancelledWhileQueued;
            if (!started)
                active.CancelledWhileQueued = true;
        }

        // A second CancelJob on the same queued job only waits for the first to store the end.
        if (endWhileQueued)
            await EndQueuedAsync(active);
        else if (started)
            active.Cancel();

        try
        {
            await active.Finished.Task.WaitAsync(CancelWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The job is still stopping; the caller sees its current state and can watch it end.
        }

        return await store.FindAsync(jobId, CancellationToken.None)
               ?? throw new InvalidOperationException($"Job {jobId} disappeared while it was being cancelled.");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.MaxConcurrent)
            .Select(_ => store.IsShared ? ClaimLoopAsync(stoppingToken) : WorkAsync(stoppingToken)));

    private Grpc.Core.RpcException QueueFull() => RpcErrors.ResourceExhausted(
        $"The job queue is full ({_options.MaxQueued} jobs wait); retry when a job has finished or raise Jobs:MaxQueued.");

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var active in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                // ReadAllAsync yields items already queued without checking the token again.
                if (stoppingToken.IsCancellationRequested)
                    break;

                Interlocked.Decrement(ref _queuedCount);
                bool skip;
                lock (active.Gate)
                {
                    skip = active.CancelledWhileQueued;
                    active.Started = !skip;
                }

                if (skip)
                {
                    active.Dispose();
                    continue;
                }

                await RunAsync(active);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Jobs still queued stay QUEUED in the database and are marked interrupted on the next start.
        }
    }

    private async Task RunAsync(ActiveJob active)
    {
        var watch = Stopwatch.StartNew();
        JobEventWriter? writer = null;
        try
        {
            var job = await store.FindAsync(active.Id, CancellationToken.None)
                      ?? throw new InvalidOperationException($"Job {active.Id} is queued but not stored.");
            await store.MarkRunningAsync(job.Id, time.GetUtcNow().UtcDateTime, CancellationToken.None, active.Lease);
            logger.JobStarted(job.Id, ((Proto.JobKind)job.Kind).ToString());
            writer = new JobEventWriter(job.Id, job.LastSequence, store, time, logger, active.Token, active.Lease);
            if (active.Lease is { Attempt: > 1 } lease)
                writer.Report(new ProgressUpdate("queued", 0, $"Attempt {lease.Attempt}: running again from the start, because the previous attempt's server stopped before the job finished"));

            var input = await BuildInputAsync(job, active.Token);
            var output = await runner.RunAsync(input, writer, active.Token);

            writer.Report(new ProgressUpdate("saving", 0.99, "Saving the new version"));
            long sequence = await writer.CompleteAsync();
            string versionId = await CommitAsync(job, input, output, sequence, active);
            logger.JobSucceeded(job.Id, watch.Elapsed.TotalSeconds, versionId);
        }
        catch (Exception error)
        {
            await EndFailedAsync(active, writer, error);
        }
        finally
        {
            _active.TryRemove(active.Id, out _);
            active.Finished.TrySetResult();
            active.Dispose();
        }
    }

    private async Task<JobRunInput> BuildInputAsync(JobRow job, CancellationToken cancellationToken)
    {
        var dataset = await datasets.ResolveAsync(job.DatasetId, "dataset", cancellationToken);
        if (job.Kind == (int)Proto.JobKind.Train)
        {
            var trainRequest = Proto.TrainModelRequest.Parser.ParseFrom(job.Request);
            return new JobRunInput(job.Id, Proto.JobKind.Train, trainRequest, null, dataset, null);
        }

        if (job.Kind == (int)Proto.JobKind.Erase)
        {
            var erasureRequest = Proto.ErasureRequest.Parser.ParseFrom(job.Request);
            var erased = await models.GetVersionAsync(job.ModelVersionId!, "model_version_id", cancellationToken);

            // Checked before the work starts and again when the job commits.
            Erasures.ErasureCommitter.RequireBaseFileCurrent(job.Id, erased, dataset);
            return new JobRunInput(job.Id, Proto.JobKind.Erase, null, null, dataset, erased, ErasureRequest: erasureRequest);
        }

        var debiasRequest = Proto.DebiasRequest.Parser.ParseFrom(job.Request);
        var baseVersion = await models.GetVersionAsync(job.ModelVersionId!, "model_version_id", cancellationToken);

        // An erasure that committed after the job was queued leaves the base version carrying the erased rows.
        Erasures.ErasureCommitter.RequireDebiasBaseCurrent(baseVersion, dataset);
        var counterfactualSet = string.IsNullOrEmpty(debiasRequest.CounterfactualSetId)
            ? null
            : await counterfactuals.GetAsync(debiasRequest.CounterfactualSetId, "counterfactual_set_id", cancellationToken);

        // Checked at submission, again here because an erasure may have withdrawn the set while the job was
        // queued, and once more when the job commits.
        if (counterfactualSet is not null)
            RequireSetUsable(job.Id, "start", counterfactualSet);
        return new JobRunInput(job.Id, Proto.JobKind.Debias, null, debiasRequest, dataset, baseVersion, counterfactualSet);
    }

    /// <summary>
    /// Writes the weights artifact, then commits the version, the job's result and its final event in one
    /// transaction. Returns the new version's id. The commit journal covers the gap between the two.
    /// </summary>
    private async Task<string> CommitAsync(JobRow job, JobRunInput input, JobRunOutput output, long sequence, ActiveJob active)
    {
        var jobToken = active.Token;
        string journalEntry = CommitJournal.EntryName(job.Id, active.Lease);
        // From here on the job is done: cancellation no longer applies, so nothing below takes its token
        // (except a test fault's pause).
        // NOTE: when the commit fails without a crash, the journal entry stays, so the artifact is removed at
        // the next start if no version uses it.
        await journal.BeginAsync(journalEntry, output.WeightsSha256);
        string sha256 = await artifacts.WriteAsync(output.Weights, CancellationToken.None);
        if (sha256 != output.WeightsSha256)
            throw new InvalidOperationException($"Weights of job {job.Id} hash to {sha256}, but the runner reported {output.WeightsSha256}.");

        await PauseIfFaultAsync(job.Id, input.Dataset, "saving", jobToken);

        var now = time.GetUtcNow();
        string versionId = Guid.CreateVersion7().ToString();
        var result = output.Result.Clone();
        ModelRow? newModel = null;
        string modelId;
        if (input.Kind == Proto.JobKind.Train)
        {
            var request = input.TrainRequest!;
            var settings = request.Settings.ToEngine("settings");
            newModel = new ModelRow
            {
                Id = Guid.CreateVersion7().ToString(),
                Name = string.IsNullOrWhiteSpace(request.Name) ? DefaultModelName(input.Dataset.Name, settings) : request.Name,
                DatasetId = input.Dataset.Id,
                Settings = settings.ToProto().ToByteArray(),
                CreatedAt = now.UtcDateTime,
            };
            modelId = newModel.Id;
            result.Train.ModelId = modelId;
            result.Train.VersionId = versionId;
        }
        else if (input.Kind == Proto.JobKind.Erase)
        {
            modelId = input.BaseVersion!.ModelId;
            result.Erasure.NewVersionId = versionId;
        }
        else
        {
            modelId = input.BaseVersion!.ModelId;
            result.Debias.NewVersionId = versionId;
        }

        var version = new ModelVersionRow
        {
            Id = versionId,
            ModelId = modelId,
            ParentVersionId = input.BaseVersion?.Id,
            JobId = job.Id,
            WeightsSha256 = sha256,
            SpecJson = output.SpecJson,
            TestReport = output.TestReport.ToByteArray(),
            RemovedRowIdsJson = JsonSerializer.Serialize(output.RemovedRowIds),
            RemovedSampleCount = output.RemovedRowIds.Count,
            CreatedAt = now.UtcDateTime,
        };
        LineageStamp.Apply(version, input.Dataset, output.Result.Debias?.CounterfactualSetId);
        var resultEvent = JobEvents.Result(job.Id, sequence, now, result);
        try
        {
            if (input.Kind == Proto.JobKind.Erase)
                await erasures.CommitAsync(job, input, version, result, sequence, now, active.Lease);
            else
                await store.SucceedAsync(job.Id, newModel, version, resultEvent, setDatasetDefault: input.Kind == Proto.JobKind.Train,
                    CancellationToken.None, active.Lease, alsoInTransaction: input.Kind == Proto.JobKind.Debias
                        ? (db, token) => RequireDebiasInputsCurrentAsync(db, job.Id, input, token)
                        : null);
        }
        catch (JobLeaseLostException)
        {
            // Another server runs the job now and commits its own version, so this attempt's weights are not kept.
            await journal.AbandonAsync(journalEntry, CancellationToken.None);
            throw;
        }

        journal.End(journalEntry);
        return versionId;
    }

    /// <summary>
    /// Throws FAILED_PRECONDITION when the job's counterfactual set is no longer APPROVED, for example because an
    /// erasure withdrew it after the job was submitted.
    /// </summary>
    private void RequireSetUsable(string jobId, string stage, CounterfactualSetRow set)
    {
        if (set.Status == (int)Proto.CounterfactualSetStatus.Approved)
            return;

        string status = CounterfactualCatalog.StatusName(set.Status);
        logger.CounterfactualSetNoLongerUsable(jobId, stage, set.Id, status);
        string reason = set.WithdrawnByErasureId is { } erasureId
            ? $"erasure {erasureId} withdrew it because it copied erased rows"
            : "only an APPROVED set can be used";
        throw EngineException.Precondition("counterfactual_set_id",
            $"Counterfactual set {set.Id} is {status} ({reason}), so job {jobId} cannot use it; nothing was stored. " +
            "Generate a new set, have it approved and submit the request again.",
            set.Id);
    }

    /// <summary>
    /// Rechecks a debias job's inputs inside the commit transaction, after taking the dataset row's lock that an
    /// erasure's commit also takes, so that no erasure committed while the job ran. The base version must still be
    /// made on the dataset's current files: otherwise it carries erased rows that the erasure's certificate does
    /// not list for this job's version. The counterfactual set, if any, must still be APPROVED: an erasure
    /// withdraws sets that copy erased rows.
    /// </summary>
    private async Task RequireDebiasInputsCurrentAsync(ComputeDbContext db, string jobId, JobRunInput input, CancellationToken cancellationToken)
    {
        await db.Datasets.Where(d => d.Id == input.Dataset.Id)
            .ExecuteUpdateAsync(update => update.SetProperty(d => d.Version, d => d.Version), cancellationToken);
        var current = await db.Datasets.AsNoTracking().FirstAsync(d => d.Id == input.Dataset.Id, cancellationToken);
        Erasures.ErasureCommitter.RequireDebiasBaseCurrent(input.BaseVersion!, current);
        if (input.CounterfactualSet is { } set)
        {
            var stored = await db.CounterfactualSets.AsNoTracking().SingleAsync(s => s.Id == set.Id, cancellationToken);
            RequireSetUsable(jobId, "commit", stored);
        }
    }

    /// <summary>Blocks a job at one of the server's own phases when the test fault asks for it; see <see cref="FaultInjectionOptions"/>.</summary>
    private async Task PauseIfFaultAsync(string jobId, DatasetRow dataset, string phase, CancellationToken jobToken)
    {
        var fault = faults.Value;
        if (!fault.AppliesTo(dataset.Id, dataset.Name) || fault.Phase != phase || fault.Action != FaultKind.Pause)
            return;

        logger.FaultPaused(jobId, phase);
        await Task.Delay(Timeout.Infinite, jobToken);
    }

    internal static string DefaultModelName(string datasetName, Engine.Models.ModelSettings settings) =>
        settings.Architecture == Engine.Models.Architecture.Mlp ? $"{datasetName}-mlp" : $"{datasetName}-logistic-regression";

    private async Task EndFailedAsync(ActiveJob active, JobEventWriter? writer, Exception error)
    {
        if (active.LeaseLost || error is JobLeaseLostException)
        {
            logger.LeaseLost(active.Id);
            if (writer is not null)
                await writer.CompleteAsync();
            return;
        }

        var (state, message) = Classify(active, error);
        try
        {
            long sequence = writer is null ? await NextSequenceAsync(active.Id) : await writer.CompleteAsync();
            if (state == Proto.JobState.Interrupted && active.Lease is { } lease)
            {
                await ReleaseAsync(active.Id, lease);
                return;
            }

            await store.EndAsync(active.Id, JobEvents.Ended(active.Id, sequence, time.GetUtcNow(), state, message), CancellationToken.None, active.Lease);
        }
        catch (JobLeaseLostException)
        {
            logger.LeaseLost(active.Id);
        }
        catch (Exception storeError)
        {
            logger.JobEventsNotStored(storeError, active.Id);
        }
    }

    private (Proto.JobState State, string Message) Classify(ActiveJob active, Exception error)
    {
        if (error is OperationCanceledException && active.Token.IsCancellationRequested)
        {
            var (state, reason) = active switch
            {
                { CancelRequested: true } => (Proto.JobState.Cancelled, "Cancelled by request."),
                { DeadlinePassed: true } => (Proto.JobState.Cancelled,
                    $"The deadline of {active.DeadlineSeconds:R} s (deadline_seconds) passed before the job finished; submit it again with a later deadline."),
                _ => (Proto.JobState.Interrupted, "The server stopped before the job finished; nothing it did was kept. Submit it again."),
            };
            logger.JobStopped(active.Id, ProtoNames.Of(state), reason);
            return (state, reason);
        }

        if (error is EngineException engineError)
        {
            logger.JobFailed(active.Id, engineError.Message);
            return (Proto.JobState.Failed, engineError.Message);
        }

        // The runner has logged the worker's details already.
        if (error is WorkerFailedException workerError)
        {
            logger.JobFailed(active.Id, workerError.Message);
            return (Proto.JobState.Failed, workerError.Message);
        }

        logger.JobCrashed(error, active.Id);
        return (Proto.JobState.Failed, UnexpectedFailureMessage);
    }

    private async Task EndQueuedAsync(ActiveJob active)
    {
        _active.TryRemove(active.Id, out _);
        long sequence = await NextSequenceAsync(active.Id);
        await store.EndAsync(active.Id,
            JobEvents.Ended(active.Id, sequence, time.GetUtcNow(), Proto.JobState.Cancelled, "Cancelled by request before it started."),
            CancellationToken.None);
        logger.JobStopped(active.Id, ProtoNames.Of(Proto.JobState.Cancelled), "cancelled while queued");
        active.Finished.TrySetResult();
    }

    private async Task<long> NextSequenceAsync(string jobId)
    {
        var job = await store.FindAsync(jobId, CancellationToken.None);
        return (job?.LastSequence ?? 0) + 1;
    }
}
