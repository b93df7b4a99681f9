using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Queues training and bias-removal jobs, streams their events and cancels them.</summary>
public sealed class JobGrpcService(
    JobRequestValidator validator,
    JobScheduler scheduler,
    JobStore store,
    JobEventHub hub,
    AuditTrail audit) : JobService.JobServiceBase
{
    public override async Task<Job> TrainModel(TrainModelRequest request, ServerCallContext context)
    {
        var validated = await validator.ValidateAsync(request, context.CancellationToken);

        var job = scheduler.CreateJob(JobKind.Train, request, validated.Dataset.Id, modelVersionId: null);
        await scheduler.SubmitAsync(job, deadlineSeconds: null, context.Caller().UserName, context.CancellationToken);
        return job.ToProto();
    }

    public override async Task<Job> SubmitDebias(DebiasRequest request, ServerCallContext context)
    {
        var validated = await validator.ValidateAsync(request, context.CancellationToken);

        // The stored request names the set chosen for it, so the job runs, and reads back, with that set.
        var stored = request.Clone();
        stored.CounterfactualSetId = validated.CounterfactualSet?.Id ?? "";
        var job = scheduler.CreateJob(JobKind.Debias, stored, validated.Dataset.Id, validated.BaseVersion!.Id);
        await scheduler.SubmitAsync(job, validated.DeadlineSeconds, context.Caller().UserName, context.CancellationToken);
        return job.ToProto();
    }

    /// <summary>
    /// Streams the stored events after <c>after_sequence</c>, then live ones, and completes after the final
    /// event. The live subscription starts before the stored events are read, so no event falls between
    /// the two; events already sent are skipped by sequence number.
    /// </summary>
    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (request.AfterSequence < 0)
            throw RpcErrors.InvalidArgument("after_sequence", $"after_sequence must be 0 or more; got {request.AfterSequence}.");

        using var subscription = hub.Subscribe(request.JobId);
        _ = await FindJobAsync(request.JobId, cancellationToken);

        long lastSent = request.AfterSequence;
        foreach (var stored in await store.ReadEventsAsync(request.JobId, lastSent, cancellationToken))
        {
            await responseStream.WriteAsync(stored, cancellationToken);
            lastSent = stored.Sequence;
            if (JobEventHub.IsTerminal(stored))
                return;
        }

        // A job that has ended stores its final event in the same transaction as its state, so once its state
        // is final and every stored event up to its last is behind the caller, nothing more will come.
        var current = await FindJobAsync(request.JobId, cancellationToken);
        if (IsFinal((JobState)current.State) && current.LastSequence <= lastSent)
            return;

        await foreach (var live in subscription.Reader.ReadAllAsync(cancellationToken))
        {
            if (live.Sequence <= lastSent)
                continue;

            await responseStream.WriteAsync(live, cancellationToken);
            lastSent = live.Sequence;
            if (JobEventHub.IsTerminal(live))
                return;
        }
    }

    public override async Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        var job = await FindJobAsync(request.JobId, context.CancellationToken);
        return job.ToProto();
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        JobState? filter = request.State == JobState.Unspecified ? null : request.State;
        var jobs = await store.ListAsync(filter, context.CancellationToken);
        return new ListJobsResponse { Jobs = { jobs.Select(j => j.ToProto()) } };
    }

    public override async Task<Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.JobId))
            throw RpcErrors.InvalidArgument("job_id", "job_id is empty; pass the id that TrainModel or SubmitDebias returned.");

        var job = await scheduler.CancelAsync(request.JobId, context.CancellationToken);

        // The entry is appended without delaying the response, because CancelJob promises to return within a second
        // of the job stopping and an append waits for the audit lock. TryAppendAsync logs its own failures.
        _ = audit.TryAppendAsync(context.Caller().UserName, AuditActions.JobCancel, $"job/{job.Id}", new Dictionary<string, object?>
        {
            ["state"] = job.State.ToString(),
        });
        return job.ToProto();
    }

    private static bool IsFinal(JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.Interrupted;

    private async Task<JobRow> FindJobAsync(string jobId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(jobId))
            throw RpcErrors.InvalidArgument("job_id", "job_id is empty; pass the id that TrainModel or SubmitDebias returned.");

        return await store.FindAsync(jobId, cancellationToken)
               ?? throw RpcErrors.NotFound($"Job '{jobId}' (job_id) was not found; 'unlearn jobs list' (ListJobs) shows the existing ones.");
    }
}
