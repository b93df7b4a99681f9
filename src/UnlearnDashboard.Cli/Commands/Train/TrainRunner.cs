using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Train;

/// <summary>Submits a training job and watches it to the end.</summary>
internal static class TrainRunner
{
    /// <summary>Returns the train result, or null with the exit code to return when the job did not succeed.</summary>
    public static async Task<(int ExitCode, TrainResult? Result)> TrainAndWatchAsync(
        ComputeConnection connection,
        CliConsole console,
        TrainModelRequest request,
        CancellationToken cancellationToken)
    {
        var job = await connection.Jobs.TrainModelAsync(request, cancellationToken: cancellationToken);
        console.Error.WriteLine($"Submitted training job {job.Id}.");

        var outcome = await JobFollower.FollowAsync(connection, console, job.Id, afterSequence: 0, cancellationToken);
        if (outcome is not { Succeeded: true })
        {
            return (JobFollower.ExitCodeFor(outcome), null);
        }

        var result = ExpectedResult.Train(outcome, console.Error);
        return result is null ? (ExitCodes.Failure, null) : (ExitCodes.Success, result);
    }
}
