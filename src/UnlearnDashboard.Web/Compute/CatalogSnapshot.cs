using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>The compute server's datasets, models and model versions, read together.</summary>
public sealed record CatalogSnapshot(
    IReadOnlyList<Dataset> Datasets,
    IReadOnlyList<Model> Models,
    IReadOnlyList<ModelVersion> Versions)
{
    public static CatalogSnapshot Empty { get; } = new([], [], []);

    /// <summary>Returns the versions of models trained on <paramref name="datasetId"/>, newest first.</summary>
    public IReadOnlyList<ModelVersion> VersionsOf(string datasetId)
    {
        var modelIds = Models.Where(model => model.DatasetId == datasetId).Select(model => model.Id).ToHashSet();
        return Versions.Where(version => modelIds.Contains(version.ModelId))
            .OrderByDescending(version => version.CreatedAt?.ToDateTimeOffset())
            .ToList();
    }
}
