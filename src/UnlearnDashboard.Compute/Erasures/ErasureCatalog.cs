using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Erasures;

/// <summary>Checks and queues erasure requests, and reads their certificates.</summary>
public sealed class ErasureCatalog(
    IDbContextFactory<ComputeDbContext> dbFactory,
    ModelCatalog models,
    DatasetCatalog datasets,
    ArtifactStore artifacts,
    JobScheduler scheduler)
{
    /// <summary>Longest reason accepted, in characters.</summary>
    public const int MaxReasonLength = 2000;

    /// <summary>
    /// Checks the request, resolves its rows to row ids (stored in the job's request in place of the names) and queues
    /// the job. Throws INVALID_ARGUMENT naming the field for a bad value, FAILED_PRECONDITION for a version made on an
    /// earlier dataset version.
    /// </summary>
    public async Task<JobRow> SubmitAsync(string actor, Proto.ErasureRequest request, CancellationToken cancellationToken)
    {
        var version = await models.GetVersionAsync(request.ModelVersionId, "model_version_id", cancellationToken);
        var model = await models.FindModelAsync(version.ModelId, cancellationToken)
                    ?? throw new EngineException(EngineErrorKind.DataLoss, "model_version_id",
                        $"Version {version.Id} belongs to model {version.ModelId}, which is missing.", version.Id);
        var dataset = await datasets.ResolveAsync(model.DatasetId, "dataset", cancellationToken);

        // The request's own fields first, so that a wrong value is not hidden behind the state of the version.
        CheckSettings(request, version);
        if (request.RowIds.Count == 0 && request.KeyColumn.Length == 0)
            throw RpcErrors.InvalidArgument("row_ids", "No rows are named; pass row_ids, or key_column with key_values.");

        if (!ErasureCommitter.IsMadeOnCurrentFiles(version, dataset))
        {
            throw RpcErrors.FailedPrecondition("model_version_id",
                $"Version {version.Id} was made on version {version.DatasetVersion} of dataset {dataset.Name}, which is now at version {dataset.Version}, " +
                "so its row ids would name other rows. Erase from a version made on the current dataset version ('unlearn versions lineage' or GetLineage shows it).");
        }

        var definition = DatasetMapper.DefinitionFromJson(dataset.DefinitionJson);
        var files = await ErasureCommitter.ReadFilesAsync(artifacts, dataset, cancellationToken);
        var resolved = await Task.Run(() => TrainingFilePurge.Resolve(definition, files, dataset.Name,
            request.RowIds, request.KeyColumn, request.KeyValues), cancellationToken);
        if (resolved.RowIds.Length * 2 > resolved.RecordCount)
        {
            throw RpcErrors.InvalidArgument("row_ids",
                $"The request names {resolved.RowIds.Length} of the dataset's {resolved.RecordCount} rows; erase at most half of them, or register the dataset again without them.");
        }

        RequireSplitsKeepTwoGroups(await datasets.GetPreparedAsync(dataset), resolved.RowIds);

        var stored = request.Clone();
        stored.RowIds.Clear();
        stored.RowIds.AddRange(resolved.RowIds);
        var job = scheduler.CreateJob(Proto.JobKind.Erase, stored, dataset.Id, version.Id);
        return await scheduler.SubmitAsync(job, deadlineSeconds: null, actor, cancellationToken);
    }

    /// <summary>
    /// Rejects, before the job runs, an erasure that would leave the validation or test split with rows of fewer than
    /// two groups. Every bias metric compares groups, so the purged dataset could not be saved, and an erasure cannot
    /// add rows.
    /// </summary>
    private static void RequireSplitsKeepTwoGroups(PreparedDataset current, long[] rowIds)
    {
        var erased = rowIds.ToHashSet();
        foreach (var split in new[] { current.Validation, current.Test })
        {
            var kept = split.RowIds.Zip(split.Groups).Where(row => !erased.Contains(row.First)).Select(row => row.Second).ToList();
            var groups = kept.Distinct().ToList();
            if (groups.Count >= 2)
                continue;

            string left = groups.Count == 0 ? "no rows" : $"rows of group '{groups[0]}' only ({kept.Count})";
            throw RpcErrors.FailedPrecondition("row_ids",
                $"Erasing these rows would leave the {split.Name} split of dataset {current.Definition.Name} with {left} of "
                + $"'{current.Definition.SensitiveColumn}', and every bias metric compares groups, so the purged dataset could not be used. "
                + "Nothing was erased. An erasure cannot add rows: register the dataset again with more rows of the other groups, "
                + "train a model on it, and erase the rows from that model's version.");
        }
    }

    /// <summary>Returns a certificate by erasure id or job id, or throws NOT_FOUND.</summary>
    public async Task<Proto.ErasureCertificate> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id))
            throw RpcErrors.InvalidArgument("id", "id is empty; pass an erasure id or the id of the erasure job.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Erasures.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id || e.JobId == id, cancellationToken)
                  ?? throw RpcErrors.NotFound($"Erasure '{id}' (id) was not found; 'unlearn erasures list' (ListErasures) shows the certificates, and a job that has not succeeded has none.");
        return Proto.ErasureCertificate.Parser.ParseFrom(row.Certificate);
    }

    /// <summary>Lists certificates, newest first, optionally of one dataset.</summary>
    public async Task<IReadOnlyList<Proto.ErasureCertificate>> ListAsync(string? dataset, CancellationToken cancellationToken)
    {
        string? datasetId = dataset is null ? null : (await datasets.ResolveAsync(dataset, "dataset", cancellationToken)).Id;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Erasures.AsNoTracking();
        if (datasetId is not null)
            query = query.Where(e => e.DatasetId == datasetId);
        var rows = await query.OrderByDescending(e => e.IssuedAt).ToListAsync(cancellationToken);
        return rows.Select(r => Proto.ErasureCertificate.Parser.ParseFrom(r.Certificate)).ToList();
    }

    private static void CheckSettings(Proto.ErasureRequest request, ModelVersionRow version)
    {
        var spec = ModelSpec.FromJson(version.SpecJson);
        foreach (string layer in request.Layers)
        {
            if (!spec.Layers.Any(l => l.Name == layer))
                throw RpcErrors.InvalidArgument("layers", $"Layer '{layer}' is not a layer of version {version.Id}, whose layers are {string.Join(", ", spec.Layers.Select(l => l.Name))}.");
        }

        JobRequestValidator.RejectRepeatedLayers(request.Layers);

        if (request.Reason.Length > MaxReasonLength)
            throw RpcErrors.InvalidArgument("reason", $"reason has {request.Reason.Length} characters; shorten it to at most {MaxReasonLength}.");

        // The engine's own checks name the proto fields (damping, newton_steps).
        request.ToOptions().Validate();
    }
}
