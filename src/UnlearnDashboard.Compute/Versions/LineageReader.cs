using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Versions;

/// <summary>Builds a version's lineage from the version, its model and the job that made it.</summary>
public sealed class LineageReader(IDbContextFactory<ComputeDbContext> dbFactory, ModelCatalog models, VersionPromotions promotions)
{
    /// <summary>Throws NOT_FOUND naming <paramref name="field"/> for an unknown version.</summary>
    public async Task<Proto.VersionLineage> GetAsync(string versionId, string field, CancellationToken cancellationToken)
    {
        var version = await models.GetVersionAsync(versionId, field, cancellationToken);
        var model = await models.FindModelAsync(version.ModelId, cancellationToken);
        JobRow? job = null;
        if (version.JobId.Length > 0)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == version.JobId, cancellationToken);
        }

        var lineage = new Proto.VersionLineage
        {
            VersionId = version.Id,
            ModelId = version.ModelId,
            ParentVersionId = version.ParentVersionId ?? "",
            JobId = version.JobId,
            DatasetId = model?.DatasetId ?? "",
            DatasetTrainSha256 = version.DatasetTrainSha256 ?? "",
            DatasetTestSha256 = version.DatasetTestSha256 ?? "",
            DatasetVersion = version.DatasetVersion,
            RemovedRowIds = { JsonSerializer.Deserialize<long[]>(version.RemovedRowIdsJson) ?? [] },
            CounterfactualSetId = version.CounterfactualSetId ?? "",
            TestReport = VersionReportIntervals.Read(version.TestReport),
            ProductVersion = version.ProductVersion ?? "",
            SourceRevision = version.SourceRevision ?? "",
            CreatedAt = version.CreatedAt.ToTimestamp(),
        };
        if (model is not null)
            lineage.ModelSettings = Proto.ModelSettings.Parser.ParseFrom(model.Settings);
        if (version.GateVerdict is not null)
            lineage.GateVerdict = Proto.GateVerdict.Parser.ParseFrom(version.GateVerdict);
        var aliases = await promotions.AliasesByVersionAsync([version.Id], cancellationToken);
        if (aliases.TryGetValue(version.Id, out var names))
            lineage.Aliases.AddRange(names);

        if (job is not null)
            AddRequest(lineage, job);
        return lineage;
    }

    private static void AddRequest(Proto.VersionLineage lineage, JobRow job)
    {
        lineage.RequestSha256 = Convert.ToHexStringLower(SHA256.HashData(job.Request));
        switch ((Proto.JobKind)job.Kind)
        {
            case Proto.JobKind.Train:
                lineage.TrainRequest = Proto.TrainModelRequest.Parser.ParseFrom(job.Request);
                lineage.Seed = lineage.ModelSettings?.HasSeed == true ? lineage.ModelSettings.Seed : 0;
                break;
            case Proto.JobKind.Debias:
                lineage.DebiasRequest = Proto.DebiasRequest.Parser.ParseFrom(job.Request);
                lineage.Seed = lineage.DebiasRequest.HasSeed ? lineage.DebiasRequest.Seed : 0;
                break;
            case Proto.JobKind.Erase:
                lineage.ErasureRequest = Proto.ErasureRequest.Parser.ParseFrom(job.Request);
                lineage.Seed = lineage.ErasureRequest.HasSeed ? lineage.ErasureRequest.Seed : 0;
                break;
        }
    }
}
