using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>
/// Keeps lineages, aliases and release gates in memory in place of the compute server's VersionService. Promotion
/// moves the alias unless <see cref="PromoteError"/> is set; it does not check the gate itself.
/// </summary>
public sealed class FakeComputeVersions : IComputeVersions
{
    public Dictionary<string, VersionLineage> Lineages { get; } = [];

    public List<ModelAlias> Aliases { get; } = [];

    /// <summary>Gate by model id; a model without one gets the default gate.</summary>
    public Dictionary<string, ReleaseGate> Gates { get; } = [];

    public List<PromoteVersionRequest> Promoted { get; } = [];

    public List<SetReleaseGateRequest> GatesSet { get; } = [];

    /// <summary>When set, every call fails with it.</summary>
    public Exception? Error { get; set; }

    /// <summary>When set, promotions fail with it, after the page has loaded.</summary>
    public Exception? PromoteError { get; set; }

    public Task<VersionLineage> GetLineageAsync(string versionId, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult(Lineages.TryGetValue(versionId, out var lineage) ? lineage.Clone() : new VersionLineage { VersionId = versionId });
    }

    public Task<PromoteVersionResponse> PromoteAsync(string versionId, string alias, string reason, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        Promoted.Add(new PromoteVersionRequest { VersionId = versionId, Alias = alias, Reason = reason });
        if (PromoteError is not null)
            throw PromoteError;

        string modelId = Lineages.TryGetValue(versionId, out var lineage) ? lineage.ModelId : TestData.ModelId;
        var current = Aliases.FirstOrDefault(a => a.ModelId == modelId && a.Alias == alias);
        string previous = current?.VersionId ?? "";
        Aliases.RemoveAll(a => a.ModelId == modelId && a.Alias == alias);
        var moved = new ModelAlias { ModelId = modelId, Alias = alias, VersionId = versionId, UpdatedBy = "carol", UpdatedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        Aliases.Add(moved);
        return Task.FromResult(new PromoteVersionResponse { Alias = moved, PreviousVersionId = previous });
    }

    public Task<ReleaseGate> GetReleaseGateAsync(string modelId, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult(Gates.TryGetValue(modelId, out var gate)
            ? gate.Clone()
            : new ReleaseGate { ModelId = modelId, MinDisparateImpactRatio = 0.8, MaxAccuracyDrop = 0.01, IsDefault = true });
    }

    public Task<ReleaseGate> SetReleaseGateAsync(SetReleaseGateRequest request, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        GatesSet.Add(request);
        var gate = new ReleaseGate { ModelId = request.ModelId, UpdatedBy = "carol", UpdatedAt = Timestamp.FromDateTime(new DateTime(2026, 12, 4, 9, 30, 0, DateTimeKind.Utc)) };
        if (request.HasMinDisparateImpactRatio)
            gate.MinDisparateImpactRatio = request.MinDisparateImpactRatio;
        if (request.HasMaxAccuracyDrop)
            gate.MaxAccuracyDrop = request.MaxAccuracyDrop;
        Gates[request.ModelId] = gate;
        return Task.FromResult(gate.Clone());
    }

    public Task<IReadOnlyList<ModelAlias>> ListAliasesAsync(string modelId, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult<IReadOnlyList<ModelAlias>>(Aliases.Where(a => a.ModelId == modelId).Select(a => a.Clone()).ToList());
    }

    private void ThrowIfFailing()
    {
        if (Error is not null)
            throw Error;
    }
}
