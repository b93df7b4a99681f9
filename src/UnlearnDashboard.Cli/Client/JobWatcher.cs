using Grpc.Core;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>
/// Follows a job's event stream until its result or end event, reconnecting after the last seen
/// sequence number when the stream drops.
/// </summary>
internal sealed class JobWatcher(
    JobService.JobServiceClient jobs,
    ProgressDisplay progress,
    TextWriter error,
    Func<int, TimeSpan>? reconnectDelay = null)
{
    /// <summary>Consecutive failed attempts, without any event received in between, before giving up.</summary>
    public const int MaxReconnectAttempts = 8;

    private readonly Func<int, TimeSpan> _reconnectDelay = reconnectDelay ?? DefaultReconnectDelay;

    /// <summary>Watches the job from the event after <paramref name="afterSequence"/> until it ends.</summary>
    /// <exception cref="RpcException">The server rejected the request, or the stream kept failing.</exception>
    public async Task<JobOutcome> WatchAsync(string jobId, long afterSequence, CancellationToken cancellationToken)
    {
        var lastSequence = afterSequence;
        var failedAttempts = 0;

        while (true)
        {
            try
            {
                using var call = jobs.WatchJob(
                    new WatchJobRequest { JobId = jobId, AfterSequence = lastSequence },
                    cancellationToken: cancellationToken);

                await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    lastSequence = Math.Max(lastSequence, jobEvent.Sequence);
                    failedAttempts = 0;

                    var outcome = Apply(jobEvent);
                    if (outcome is not null)
                    {
                        progress.Finish();
                        return outcome;
                    }
                }

                // The server closes the stream after a final event, or at once when the final event is at or before
                // the sequence asked for (a watch from the job's last event). Only a server shutting down closes it
                // while the job runs.
                if (await EndedJobAsync(jobId, cancellationToken) is { } ended)
                {
                    progress.Finish();
                    return ended;
                }

                throw new RpcException(new Status(StatusCode.Unavailable, "the event stream ended before the job did"));
            }
            catch (RpcException exception) when (IsStreamDrop(exception, cancellationToken) && failedAttempts < MaxReconnectAttempts)
            {
                failedAttempts++;
                var delay = _reconnectDelay(failedAttempts);
                progress.Interrupt();
                error.WriteLine(
                    $"Lost the event stream of job {jobId} ({RpcErrorFormatter.StatusName(exception.StatusCode)}: {exception.Status.Detail}); " +
                    $"reconnecting after event {lastSequence} in {delay.TotalSeconds:0.#} s (attempt {failedAttempts} of {MaxReconnectAttempts}).");
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>Returns how the job ended, from its stored state, or null while it has not ended.</summary>
    private async Task<JobOutcome?> EndedJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
        return job.State switch
        {
            JobState.Succeeded => new JobOutcome(job.Id, job.Result, Ended: null),
            JobState.Failed or JobState.Cancelled or JobState.Interrupted =>
                new JobOutcome(job.Id, Result: null, new JobEnded { State = job.State, Message = job.Error }),
            _ => null,
        };
    }

    private JobOutcome? Apply(JobEvent jobEvent)
    {
        switch (jobEvent.EventCase)
        {
            case JobEvent.EventOneofCase.Progress:
                progress.Report(jobEvent.Progress);
                return null;
            case JobEvent.EventOneofCase.Result:
                return new JobOutcome(jobEvent.JobId, jobEvent.Result, Ended: null);
            case JobEvent.EventOneofCase.Ended:
                return new JobOutcome(jobEvent.JobId, Result: null, jobEvent.Ended);
            default:
                // An event kind newer than this client: skip it.
                return null;
        }
    }

    private static bool IsStreamDrop(RpcException exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Aborted;

    /// <summary>Waits 0.5 s, 1 s, 2 s, then 4 s between attempts.</summary>
    private static TimeSpan DefaultReconnectDelay(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(4, 0.5 * Math.Pow(2, attempt - 1)));
}
