using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Returns a fixed comparison, or throws the given error, in place of the compute server; records each call.</summary>
public sealed class FakeComputeComparisons : IComputeComparisons
{
    public VersionComparison Comparison { get; set; } = new();

    public Exception? Error { get; set; }

    public List<(string Baseline, string Candidate)> Calls { get; } = [];

    public Task<VersionComparison> CompareAsync(string baselineVersionId, string candidateVersionId, CancellationToken cancellationToken)
    {
        Calls.Add((baselineVersionId, candidateVersionId));
        return Error is null ? Task.FromResult(Comparison) : Task.FromException<VersionComparison>(Error);
    }
}
