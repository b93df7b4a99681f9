using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>Reads job event streams to the end.</summary>
internal static class JobWatcher
{
    // Generous bound for one job on a 2-core machine; a test that hits it fails instead of hanging.
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Returns every event after <paramref name="afterSequence"/> until the stream completes.</summary>
    public static async Task<List<JobEvent>> CollectAsync(JobService.JobServiceClient jobs, string jobId, long afterSequence = 0)
    {
        using var call = jobs.WatchJob(new WatchJobRequest { JobId = jobId, AfterSequence = afterSequence },
            deadline: DateTime.UtcNow + JobTimeout);
        var events = new List<JobEvent>();
        await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
            events.Add(jobEvent);
        return events;
    }

    /// <summary>Waits for the job's final event and returns the job.</summary>
    public static async Task<Job> WaitForEndAsync(JobService.JobServiceClient jobs, string jobId)
    {
        await CollectAsync(jobs, jobId);
        return await jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
    }

    /// <summary>Returns the sequence numbers of the events, in order.</summary>
    public static List<long> Sequences(IEnumerable<JobEvent> events) => events.Select(e => e.Sequence).ToList();

    /// <summary>Waits until the job reports progress in the given phase.</summary>
    public static async Task WaitForPhaseAsync(JobService.JobServiceClient jobs, string jobId, string phase)
    {
        using var call = jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow + JobTimeout);
        await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
        {
            if (jobEvent.Progress?.Phase == phase)
                return;
        }

        throw new InvalidOperationException($"Job {jobId} ended before it reached phase {phase}.");
    }
}
