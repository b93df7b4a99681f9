using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Reads lineage and aliases, promotes versions and reads or sets release gates on the compute server.</summary>
/// <remarks>Each method throws <see cref="ComputeUnavailableException"/> with the server's message when the call fails.</remarks>
public interface IComputeVersions
{
    Task<VersionLineage> GetLineageAsync(string versionId, CancellationToken cancellationToken);

    /// <summary>Points <paramref name="alias"/> ("champion" or "candidate") at the version. A gate rejection fails with FAILED_PRECONDITION.</summary>
    Task<PromoteVersionResponse> PromoteAsync(string versionId, string alias, string reason, CancellationToken cancellationToken);

    Task<ReleaseGate> GetReleaseGateAsync(string modelId, CancellationToken cancellationToken);

    Task<ReleaseGate> SetReleaseGateAsync(SetReleaseGateRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyList<ModelAlias>> ListAliasesAsync(string modelId, CancellationToken cancellationToken);
}

/// <summary>Calls the compute server's VersionService.</summary>
public sealed class ComputeVersions(
    VersionService.VersionServiceClient versions,
    IOptions<ComputeClientOptions> options,
    ILogger<ComputeVersions> logger) : IComputeVersions
{
    public Task<VersionLineage> GetLineageAsync(string versionId, CancellationToken cancellationToken) =>
        CallAsync(deadline => versions.GetLineageAsync(new GetLineageRequest { VersionId = versionId }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken);

    public Task<PromoteVersionResponse> PromoteAsync(string versionId, string alias, string reason, CancellationToken cancellationToken)
    {
        var request = new PromoteVersionRequest { VersionId = versionId, Alias = alias, Reason = reason };
        return CallAsync(deadline => versions.PromoteVersionAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    public Task<ReleaseGate> GetReleaseGateAsync(string modelId, CancellationToken cancellationToken) =>
        CallAsync(deadline => versions.GetReleaseGateAsync(new GetReleaseGateRequest { ModelId = modelId }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken);

    public Task<ReleaseGate> SetReleaseGateAsync(SetReleaseGateRequest request, CancellationToken cancellationToken) =>
        CallAsync(deadline => versions.SetReleaseGateAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<IReadOnlyList<ModelAlias>> ListAliasesAsync(string modelId, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<ModelAlias>>(async deadline =>
            (await versions.ListAliasesAsync(new ListAliasesRequest { ModelId = modelId }, deadline: deadline, cancellationToken: cancellationToken)).Aliases,
            cancellationToken);

    private Task<T> CallAsync<T>(Func<DateTime, Task<T>> call, CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(call, options.Value, logger, "The version request", cancellationToken);
}
