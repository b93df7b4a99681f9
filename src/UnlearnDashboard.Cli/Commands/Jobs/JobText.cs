using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Jobs;

/// <summary>Lowercase names of job kinds and states, as the CLI shows and accepts them.</summary>
internal static class JobText
{
    public static readonly string[] StateNames = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"];

    public static string Kind(JobKind kind) => kind switch
    {
        JobKind.Train => "train",
        JobKind.Debias => "debias",
        JobKind.Erase => "erase",
        _ => "unspecified",
    };

    public static string State(JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.Interrupted => "interrupted",
        _ => "unspecified",
    };

    /// <summary>Returns the state for a name from <see cref="StateNames"/>, or Unspecified (no filter) for null.</summary>
    public static JobState ParseState(string? name) => name switch
    {
        null => JobState.Unspecified,
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "cancelled" => JobState.Cancelled,
        "interrupted" => JobState.Interrupted,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown job state."),
    };

}
