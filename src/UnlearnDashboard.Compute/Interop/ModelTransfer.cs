using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Interop;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Interop;

/// <summary>A finished export: the header of the stream and the safetensors bytes.</summary>
public sealed record ExportedVersion(Proto.ExportModelHeader Header, byte[] Safetensors);

/// <summary>
/// Imports PyTorch or safetensors weights as a new model with one version, and exports stored versions. An
/// imported version is stored in TorchSharp's format like a trained one, so jobs, comparisons and exports
/// treat it the same. It does not become its dataset's default version.
/// </summary>
public sealed class ModelTransfer(
    IDbContextFactory<ComputeDbContext> dbFactory,
    DatasetCatalog datasets,
    VersionLoader versions,
    ArtifactStore artifacts,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ModelTransfer> logger)
{
    /// <summary>
    /// Validates the spec and the weights against the dataset, evaluates the model on the test split, then
    /// stores the weights and inserts the model and the version in one transaction. Engine errors name
    /// <paramref name="specField"/> or <paramref name="weightsField"/>.
    /// </summary>
    public async Task<Proto.ImportModelResponse> ImportAsync(
        string actor,
        Proto.ImportModelHeader header,
        byte[] weights,
        string source,
        string specField,
        string weightsField,
        CancellationToken cancellationToken)
    {
        var dataset = await datasets.ResolveAsync(header.Dataset, "header.dataset", cancellationToken);
        var data = await datasets.GetPreparedAsync(dataset).WaitAsync(cancellationToken);

        var imported = await Task.Run(() =>
        {
            try
            {
                var spec = InteropSpec.Parse(header.SpecJson);
                var format = WeightsFile.Detect(weights, source);
                using var model = ModelInterop.Import(spec, weights, source, data);
                var report = FairnessEvaluator.Evaluate(model, data, "test").ToProto();
                VersionReportIntervals.Attach(report, model, data, cancellationToken);
                using var buffer = new MemoryStream();
                string sha256 = model.SaveWeights(buffer);
                return (Format: format, model.Spec, Report: report, Weights: buffer.ToArray(), Sha256: sha256);
            }
            catch (EngineException error) when (error.Field is "spec_json" or "weights")
            {
                throw new EngineException(error.Kind, error.Field == "spec_json" ? specField : weightsField, error.Message, error.Value);
            }
        }, cancellationToken);

        string stored = await artifacts.WriteAsync(imported.Weights, cancellationToken);
        if (stored != imported.Sha256)
            throw new InvalidOperationException($"Imported weights hash to {stored}, but the engine reported {imported.Sha256}.");

        var now = time.GetUtcNow().UtcDateTime;
        var modelRow = new ModelRow
        {
            Id = Guid.CreateVersion7().ToString(),
            Name = string.IsNullOrWhiteSpace(header.Name) ? $"{dataset.Name}-imported" : header.Name.Trim(),
            DatasetId = dataset.Id,
            Settings = imported.Spec.Settings.ToProto().ToByteArray(),
            CreatedAt = now,
        };
        var versionRow = new ModelVersionRow
        {
            Id = Guid.CreateVersion7().ToString(),
            ModelId = modelRow.Id,
            ParentVersionId = null,
            // An imported version was made by no job.
            JobId = "",
            WeightsSha256 = stored,
            SpecJson = imported.Spec.ToJson(),
            TestReport = imported.Report.ToByteArray(),
            RemovedRowIdsJson = "[]",
            RemovedSampleCount = 0,
            CreatedAt = now,
        };
        LineageStamp.Apply(versionRow, dataset, counterfactualSetId: null);

        // The artifact is in place, so the rows are inserted even if the caller goes away now.
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            db.Models.Add(modelRow);
            db.ModelVersions.Add(versionRow);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        string formatName = imported.Format == WeightsFormat.Safetensors ? "safetensors" : "pytorch-state-dict";
        logger.ModelImported(modelRow.Id, modelRow.Name, source, formatName, dataset.Id, versionRow.Id);
        await audit.TryAppendAsync(actor, AuditActions.ModelImport, $"version/{versionRow.Id}", new Dictionary<string, object?>
        {
            ["model_id"] = modelRow.Id,
            ["dataset_id"] = dataset.Id,
            ["format"] = formatName,
            ["weights_sha256"] = stored,
        });
        return new Proto.ImportModelResponse
        {
            Model = new Proto.Model
            {
                Id = modelRow.Id,
                Name = modelRow.Name,
                DatasetId = modelRow.DatasetId,
                Settings = Proto.ModelSettings.Parser.ParseFrom(modelRow.Settings),
                CreatedAt = modelRow.CreatedAt.ToTimestamp(),
            },
            Version = versionRow.ToProto(),
            SourceFormat = formatName,
        };
    }

    /// <summary>Loads a version (hash-checked) and writes it as safetensors with its spec and the dataset's label.</summary>
    public async Task<ExportedVersion> ExportAsync(string actor, string versionId, CancellationToken cancellationToken)
    {
        var loaded = await versions.LoadAsync(versionId, "version_id", cancellationToken);
        var definition = DatasetMapper.DefinitionFromJson(loaded.Dataset.DefinitionJson);
        var export = await Task.Run(() =>
        {
            using var model = loaded.ToTrainedModel();
            return ModelInterop.Export(model, definition);
        }, cancellationToken);

        string sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(export.Safetensors));
        logger.VersionExported(loaded.Version.Id, export.Safetensors.Length);
        await audit.TryAppendAsync(actor, AuditActions.Export, $"version/{loaded.Version.Id}", new Dictionary<string, object?>
        {
            ["format"] = "safetensors",
            ["sha256"] = sha256,
        });
        var header = new Proto.ExportModelHeader
        {
            VersionId = loaded.Version.Id,
            SpecJson = export.SpecJson,
            SizeBytes = export.Safetensors.Length,
            Sha256 = sha256,
            // The whole id, because versions made within the same millisecond share their leading UUIDv7 digits.
            FileName = $"{loaded.Model.Name}-{loaded.Version.Id}.safetensors",
        };
        return new ExportedVersion(header, export.Safetensors);
    }
}
