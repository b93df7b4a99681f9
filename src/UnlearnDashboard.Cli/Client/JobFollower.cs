using Grpc.Core;
using UnlearnDashboard.Cli.Output;

namespace UnlearnDashboard.Cli.Client;

/// <summary>Watches a job with progress on stderr and reports how it ended.</summary>
internal static class JobFollower
{
    /// <summary>
    /// Watches the job until it ends. Returns null when the user stopped watching with Ctrl+C, after
    /// telling them how to watch or cancel the job, which keeps running on the server.
    /// </summary>
    public static async Task<JobOutcome?> FollowAsync(
        ComputeConnection connection,
        CliConsole console,
        string jobId,
        long afterSequence,
        CancellationToken cancellationToken)
    {
        var progress = new ProgressDisplay(console.Error, console.ErrorIsTerminal);
        var watcher = new JobWatcher(connection.Jobs, progress, console.Error);
        try
        {
            var outcome = await watcher.WatchAsync(jobId, afterSequence, cancellationToken);
            if (outcome.Ended is { } ended)
            {
                console.Error.WriteLine($"error: job {jobId} {StateWord(ended.State)}: {Formats.OrDash(ended.Message)}");
            }

            return outcome;
        }
        catch (Exception exception) when (cancellationToken.IsCancellationRequested
            && exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            progress.Interrupt();
            console.Error.WriteLine($"Stopped watching job {jobId}; it keeps running on the server.");
            console.Error.WriteLine($"Watch it again with: unlearn jobs watch {jobId}");
            console.Error.WriteLine($"Cancel it with:      unlearn jobs cancel {jobId}");
            return null;
        }
    }

    /// <summary>Returns the exit code for an outcome from <see cref="FollowAsync"/>.</summary>
    public static int ExitCodeFor(JobOutcome? outcome) => outcome switch
    {
        null => ExitCodes.Interrupted,
        { Succeeded: true } => ExitCodes.Success,
        _ => ExitCodes.Failure,
    };

    private static string StateWord(Protos.V1.JobState state) => state switch
    {
        Protos.V1.JobState.Failed => "failed",
        Protos.V1.JobState.Cancelled => "was cancelled",
        Protos.V1.JobState.Interrupted => "was interrupted",
        _ => $"ended in state {state}",
    };
}
