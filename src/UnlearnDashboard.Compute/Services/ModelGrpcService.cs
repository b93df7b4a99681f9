using Grpc.Core;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Compute.Versions;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Lists models and versions and evaluates a version's fairness.</summary>
public sealed class ModelGrpcService(
    ModelCatalog models,
    DatasetCatalog datasets,
    VersionLoader versions,
    VersionPromotions promotions,
    AnalysisGate gate)
    : Proto.ModelService.ModelServiceBase
{
    private static readonly string[] Splits = ["train", "validation", "test"];

    public override async Task<Proto.ListModelsResponse> ListModels(Proto.ListModelsRequest request, ServerCallContext context)
    {
        string? datasetId = null;
        if (!string.IsNullOrEmpty(request.Dataset))
            datasetId = (await datasets.ResolveAsync(request.Dataset, "dataset", context.CancellationToken)).Id;

        var rows = await models.ListModelsAsync(datasetId, context.CancellationToken);
        return new Proto.ListModelsResponse { Models = { rows.Select(VersionMapper.ToProto) } };
    }

    public override async Task<Proto.ListVersionsResponse> ListVersions(Proto.ListVersionsRequest request, ServerCallContext context)
    {
        string? modelId = string.IsNullOrEmpty(request.ModelId) ? null : request.ModelId;
        if (modelId is not null && await models.FindModelAsync(modelId, context.CancellationToken) is null)
            throw RpcErrors.NotFound($"Model '{modelId}' (model_id) was not found; ListModels, or 'unlearn versions list' with each version's model, shows the existing ones.");

        var rows = await models.ListVersionsAsync(modelId, context.CancellationToken);
        var aliases = await promotions.AliasesByVersionAsync(rows.Select(v => v.Id).ToList(), context.CancellationToken);
        return new Proto.ListVersionsResponse { Versions = { rows.Select(v => WithAliases(v.ToProto(), aliases)) } };
    }

    public override async Task<Proto.ModelVersion> GetVersion(Proto.GetVersionRequest request, ServerCallContext context)
    {
        var version = await models.GetVersionAsync(request.VersionId, "version_id", context.CancellationToken);
        var aliases = await promotions.AliasesByVersionAsync([version.Id], context.CancellationToken);
        return WithAliases(version.ToProto(), aliases);
    }

    private static Proto.ModelVersion WithAliases(Proto.ModelVersion version, IReadOnlyDictionary<string, List<string>> aliases)
    {
        if (aliases.TryGetValue(version.Id, out var names))
            version.Aliases.AddRange(names);
        return version;
    }

    /// <summary>Loads the version's weights (hash-checked) and evaluates them on one split of its dataset.</summary>
    public override async Task<Proto.FairnessReport> EvaluateFairness(Proto.EvaluateFairnessRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        string split = string.IsNullOrEmpty(request.Split) ? "test" : request.Split;
        if (!Splits.Contains(split))
            throw RpcErrors.InvalidArgument("split", $"split '{split}' is unknown; use train, validation or test.");

        var loaded = await versions.LoadAsync(request.VersionId, "version_id", cancellationToken);
        var data = await datasets.GetPreparedAsync(loaded.Dataset).WaitAsync(cancellationToken);
        var report = await gate.RunAsync("The fairness evaluation", () =>
        {
            using var trained = loaded.ToTrainedModel();
            var message = FairnessEvaluator.Evaluate(trained, data, split).ToProto();
            VersionReportIntervals.Attach(message, trained, data, cancellationToken);
            return message;
        }, cancellationToken);
        return report;
    }
}
