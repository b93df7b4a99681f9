using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

// The PostgreSQL job queue, which several compute servers share. Jobs wait as QUEUED rows; a server claims one
// with a lease (PostgresJobQueue), renews the lease while the job runs, and another server reclaims the job
// once the lease has expired, running it again from the start. A job's writes are fenced by its lease, so a
// server that lost the lease stores nothing more for the job.
public sealed partial class JobScheduler
{
    // How often an idle server looks for jobs submitted to other servers or left by dead ones. A submission to
    // this server wakes its workers at once.
    private static readonly TimeSpan ClaimPollInterval = TimeSpan.FromSeconds(1);

    // CancelJob on a server that does not run the job reads the job's state this often while it waits.
    private static readonly TimeSpan CancelPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _submitted = new(0);

    /// <summary>
    /// Cancels the job if this server runs it; used for cancel requests that arrive from other servers.
    /// </summary>
    public void CancelIfRunningHere(string jobId)
    {
        if (_active.TryGetValue(jobId, out var active))
            active.Cancel();
    }

    /// <summary>
    /// Cleans up commits of jobs that have ended. Unfinished jobs are left alone: their leases decide whether
    /// another server still runs them, and an expired one is reclaimed.
    /// </summary>
    private async Task StartSharedAsync(CancellationToken cancellationToken)
    {
        await journal.RecoverEndedJobsAsync(cancellationToken);
        logger.SharedQueueStarted(sharedQueue.Owner, _options.LeaseSeconds);
    }

    private async Task<JobRow> SubmitSharedAsync(JobRow job, string actor, CancellationToken cancellationToken)
    {
        job.State = (int)Proto.JobState.Queued;
        var queued = JobEvents.Progress(job.Id, 1, time.GetUtcNow(), new ProgressUpdate("queued", 0, "Waiting for a worker"));
        if (!await store.InsertAsync(job, queued, actor, cancellationToken, queueLimit: _options.MaxQueued))
            throw QueueFull();

        _submitted.Release();
        logger.JobQueued(job.Id, ((Proto.JobKind)job.Kind).ToString(), job.DatasetId);
        return job;
    }

    /// <summary>
    /// Cancels a job that this server does not run: a queued job ends at once under its row lock, and a job
    /// running on another server gets a cancel request, which that server acts on within a moment.
    /// </summary>
    private async Task<JobRow> CancelSharedAsync(string jobId, CancellationToken cancellationToken)
    {
        var stored = await store.FindAsync(jobId, cancellationToken)
                     ?? throw RpcErrors.NotFound($"Job '{jobId}' (job_id) was not found; 'unlearn jobs list' (ListJobs) shows the existing ones.");

        // The job may move between queued and running while this runs (claimed, or put back by a stopping
        // server), so each state is tried again a few times.
        for (int round = 0; round < 3 && !IsFinal(stored); round++)
        {
            logger.JobCancelRequested(jobId);
            bool endedQueued = await store.EndIfQueuedAsync(jobId,
                sequence => JobEvents.Ended(jobId, sequence, time.GetUtcNow(), Proto.JobState.Cancelled, "Cancelled by request before it started."),
                cancellationToken);
            if (endedQueued)
            {
                logger.JobStopped(jobId, ProtoNames.Of(Proto.JobState.Cancelled), "cancelled while queued");
                return await store.FindAsync(jobId, CancellationToken.None) ?? stored;
            }

            if (_active.TryGetValue(jobId, out var active))
            {
                active.Cancel();
                return await WaitForEndAsync(jobId, cancellationToken);
            }

            if (await sharedQueue.RequestCancelAsync(jobId, cancellationToken))
            {
                logger.RemoteCancelRequested(jobId);
                return await WaitForEndAsync(jobId, cancellationToken);
            }

            stored = await store.FindAsync(jobId, cancellationToken) ?? stored;
        }

        if (IsFinal(stored))
        {
            throw RpcErrors.FailedPrecondition("job_id",
                $"Job {jobId} has already ended as {ProtoNames.Of((Proto.JobState)stored.State)}; only a queued or running job can be cancelled.");
        }

        return stored;
    }

    /// <summary>Waits up to the cancel wait for the job to end and returns its row as it then is.</summary>
    private async Task<JobRow> WaitForEndAsync(string jobId, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + CancelWait;
        while (true)
        {
            var job = await store.FindAsync(jobId, CancellationToken.None)
                      ?? throw new InvalidOperationException($"Job {jobId} disappeared while it was being cancelled.");
            if (IsFinal(job) || time.GetUtcNow() >= deadline)
                return job;

            // The caller sees the job's current state and can watch it end.
            await Task.Delay(CancelPollInterval, time, cancellationToken);
        }
    }

    private static bool IsFinal(JobRow job) =>
        job.State is not ((int)Proto.JobState.Queued or (int)Proto.JobState.Running);

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            ClaimedJob? claimed = null;
            try
            {
                claimed = await sharedQueue.ClaimAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.ClaimFailed(error);
            }

            if (claimed is null)
            {
                try
                {
                    await _submitted.WaitAsync(ClaimPollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            await RunClaimedAsync(claimed);
        }
    }

    private async Task RunClaimedAsync(ClaimedJob claimed)
    {
        logger.JobClaimed(claimed.JobId, claimed.Lease.Owner, claimed.Lease.Attempt);
        var row = await store.FindAsync(claimed.JobId, CancellationToken.None);
        var sinceSubmission = row is null ? TimeSpan.Zero : time.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc));
        var active = new ActiveJob(claimed.JobId, row?.DeadlineSeconds, time, lifetime.ApplicationStopping, sinceSubmission, claimed.Lease)
        {
            Started = true,
        };
        _active[active.Id] = active;
        if (claimed.CancelRequested)
            active.Cancel();

        var renewing = RenewLeaseAsync(active);
        try
        {
            await journal.RecoverJobAsync(active.Id, CancellationToken.None);
            await RunAsync(active);
        }
        finally
        {
            await renewing;
        }
    }

    /// <summary>
    /// Renews the job's lease every third of its length until the job finishes. Stops the job when the lease is
    /// lost, or when renewals have failed for a whole lease length, because another server may run it by then.
    /// </summary>
    private async Task RenewLeaseAsync(ActiveJob active)
    {
        var lease = active.Lease!;
        var interval = TimeSpan.FromSeconds(_options.LeaseSeconds / 3.0);
        var lastRenewed = time.GetUtcNow();
        while (true)
        {
            var tick = Task.Delay(interval, time);
            if (await Task.WhenAny(active.Finished.Task, tick) == active.Finished.Task)
                return;

            try
            {
                bool? cancelRequested = await sharedQueue.RenewAsync(active.Id, lease, CancellationToken.None);
                if (cancelRequested is null)
                {
                    active.LoseLease();
                    return;
                }

                lastRenewed = time.GetUtcNow();
                if (cancelRequested == true)
                    active.Cancel();
            }
            catch (Exception error)
            {
                logger.LeaseRenewalFailed(error, active.Id);
                if (time.GetUtcNow() - lastRenewed >= TimeSpan.FromSeconds(_options.LeaseSeconds))
                {
                    active.LoseLease();
                    return;
                }
            }
        }
    }

    /// <summary>Puts a job that this stopping server was running back in the queue for any server.</summary>
    private async Task ReleaseAsync(string jobId, JobLease lease)
    {
        try
        {
            await store.ReleaseAsync(jobId, lease,
                sequence => JobEvents.Progress(jobId, sequence, time.GetUtcNow(),
                    new ProgressUpdate("queued", 0, "The server running the job stopped; it waits for another server and will run again from the start")),
                CancellationToken.None);
            logger.JobReleased(jobId);
        }
        catch (Exception error) when (error is not JobLeaseLostException)
        {
            logger.JobReleaseFailed(error, jobId);
        }
    }
}
