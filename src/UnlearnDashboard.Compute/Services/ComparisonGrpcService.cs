using Grpc.Core;
using UnlearnDashboard.Compute.Models;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Compares two versions of models trained on the same dataset.</summary>
public sealed class ComparisonGrpcService(VersionComparisons comparisons) : Proto.ComparisonService.ComparisonServiceBase
{
    public override async Task<Proto.VersionComparison> CompareVersions(Proto.CompareVersionsRequest request, ServerCallContext context) =>
        (await comparisons.CompareAsync(request, context.CancellationToken)).Message;
}
