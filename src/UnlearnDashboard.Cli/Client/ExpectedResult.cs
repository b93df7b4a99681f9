using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>Picks the result of the expected kind out of a job outcome.</summary>
internal static class ExpectedResult
{
    /// <summary>Returns the train result, or null after writing an error when the job returned another kind.</summary>
    public static TrainResult? Train(JobOutcome outcome, TextWriter error) =>
        outcome.Result?.Train ?? Mismatch<TrainResult>(outcome, JobResult.ResultOneofCase.Train, error);

    /// <summary>Returns the debias result, or null after writing an error when the job returned another kind.</summary>
    public static DebiasResult? Debias(JobOutcome outcome, TextWriter error) =>
        outcome.Result?.Debias ?? Mismatch<DebiasResult>(outcome, JobResult.ResultOneofCase.Debias, error);

    /// <summary>Returns the erasure result, or null after writing an error when the job returned another kind.</summary>
    public static ErasureResult? Erasure(JobOutcome outcome, TextWriter error) =>
        outcome.Result?.Erasure ?? Mismatch<ErasureResult>(outcome, JobResult.ResultOneofCase.Erasure, error);

    private static T? Mismatch<T>(JobOutcome outcome, JobResult.ResultOneofCase expected, TextWriter error)
        where T : class
    {
        var actual = outcome.Result?.ResultCase ?? JobResult.ResultOneofCase.None;
        error.WriteLine($"error: job {outcome.JobId} returned a result of kind {actual}, expected {expected}.");
        return null;
    }
}
