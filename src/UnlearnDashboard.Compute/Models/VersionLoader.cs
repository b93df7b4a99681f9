using System.Text.Json;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Compute.Models;

/// <summary>A stored version with its model, its dataset and its weights file, ready to load.</summary>
public sealed record LoadedVersion(ModelVersionRow Version, ModelRow Model, DatasetRow Dataset, byte[] Weights)
{
    /// <summary>Loads the weights into a network, checking their SHA-256 and every parameter's shape.</summary>
    public TrainedModel ToTrainedModel() =>
        TrainedModel.Load(ModelSpec.FromJson(Version.SpecJson), Weights, Version.WeightsSha256, $"of version {Version.Id}");
}

/// <summary>Finds a version, the model and dataset it belongs to, and reads its weights.</summary>
public sealed class VersionLoader(ModelCatalog models, DatasetCatalog datasets, ArtifactStore artifacts)
{
    /// <summary>Throws NOT_FOUND naming <paramref name="field"/> for an unknown version, DATA_LOSS for a missing model or file.</summary>
    public async Task<LoadedVersion> LoadAsync(string versionId, string field, CancellationToken cancellationToken)
    {
        var version = await models.GetVersionAsync(versionId, field, cancellationToken);
        var model = await models.FindModelAsync(version.ModelId, cancellationToken)
                    ?? throw new EngineException(EngineErrorKind.DataLoss, field,
                        $"Version {version.Id} belongs to model {version.ModelId}, which is missing.", version.Id);
        var dataset = await datasets.ResolveAsync(model.DatasetId, "dataset", cancellationToken);
        byte[] weights = await artifacts.ReadVerifiedAsync(version.WeightsSha256, "weights", cancellationToken);
        return new LoadedVersion(version, model, dataset, weights);
    }

    /// <summary>Returns every training row id removed from the version and its ancestors.</summary>
    public async Task<HashSet<long>> RemovedAlongLineageAsync(ModelVersionRow version, CancellationToken cancellationToken)
    {
        var removed = new HashSet<long>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        for (var current = version; current is not null && visited.Add(current.Id);)
        {
            removed.UnionWith(JsonSerializer.Deserialize<long[]>(current.RemovedRowIdsJson) ?? []);
            current = current.ParentVersionId is { } parent ? await models.FindVersionAsync(parent, cancellationToken) : null;
        }

        return removed;
    }
}
