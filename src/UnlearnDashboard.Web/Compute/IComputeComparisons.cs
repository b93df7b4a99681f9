using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Compares model versions on the compute server.</summary>
public interface IComputeComparisons
{
    /// <summary>Returns the comparison of <paramref name="candidateVersionId"/> with <paramref name="baselineVersionId"/> on the test split.</summary>
    /// <exception cref="ComputeUnavailableException">The call failed. The message is the server's own, or explains how to reach the server.</exception>
    Task<VersionComparison> CompareAsync(string baselineVersionId, string candidateVersionId, CancellationToken cancellationToken);
}

/// <summary>Calls the compute server's ComparisonService.</summary>
public sealed class ComputeComparisons(
    ComparisonService.ComparisonServiceClient comparisons,
    Microsoft.Extensions.Options.IOptions<ComputeClientOptions> options,
    ILogger<ComputeComparisons> logger) : IComputeComparisons
{
    public Task<VersionComparison> CompareAsync(string baselineVersionId, string candidateVersionId, CancellationToken cancellationToken)
    {
        var request = new CompareVersionsRequest { BaselineVersionId = baselineVersionId, CandidateVersionId = candidateVersionId };
        return ComputeCall.RunAsync(
            deadline => comparisons.CompareVersionsAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            options.Value, logger, "The comparison request", cancellationToken);
    }
}
