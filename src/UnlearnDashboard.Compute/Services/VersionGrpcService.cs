using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Versions;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Lineage, aliases and release gates of model versions.</summary>
public sealed class VersionGrpcService(LineageReader lineage, VersionPromotions promotions) : Proto.VersionService.VersionServiceBase
{
    public override Task<Proto.VersionLineage> GetLineage(Proto.GetLineageRequest request, ServerCallContext context) =>
        lineage.GetAsync(request.VersionId, "version_id", context.CancellationToken);

    public override Task<Proto.PromoteVersionResponse> PromoteVersion(Proto.PromoteVersionRequest request, ServerCallContext context) =>
        promotions.PromoteAsync(context.Caller().UserName, request, context.CancellationToken);

    public override Task<Proto.ReleaseGate> SetReleaseGate(Proto.SetReleaseGateRequest request, ServerCallContext context) =>
        promotions.SetGateAsync(context.Caller().UserName, request, context.CancellationToken);

    public override Task<Proto.ReleaseGate> GetReleaseGate(Proto.GetReleaseGateRequest request, ServerCallContext context) =>
        promotions.GetGateAsync(request.ModelId, context.CancellationToken);

    public override async Task<Proto.ListAliasesResponse> ListAliases(Proto.ListAliasesRequest request, ServerCallContext context)
    {
        var aliases = await promotions.ListAliasesAsync(string.IsNullOrEmpty(request.ModelId) ? null : request.ModelId, context.CancellationToken);
        return new Proto.ListAliasesResponse { Aliases = { aliases } };
    }
}
