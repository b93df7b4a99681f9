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

    /// <summary>
    /// Returns the version a job started from and the version it produced, each empty when there is none. A training
    /// job starts from nothing; a debias or erase job produces its version only when it succeeds.
    /// </summary>
    public static (string Base, string New) Versions(Job job) => job.Kind switch
    {
        JobKind.Train => ("", job.ModelVersionId),
        _ => (job.ModelVersionId, job.Result?.ResultCase switch
        {
            JobResult.ResultOneofCase.Debias => job.Result.Debias.NewVersionId,
            JobResult.ResultOneofCase.Erasure => job.Result.Erasure.NewVersionId,
            _ => "",
        }),
    };
}
