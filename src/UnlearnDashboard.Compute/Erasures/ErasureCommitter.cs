using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Jobs;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Erasures;

/// <summary>
/// Commits a finished erasure job: purges the rows from the dataset's training file (a new dataset version), then,
/// in the job's commit transaction, stores the new model version, the dataset's new file and counts, and the
/// certificate. Afterwards it deletes the previous training file when no dataset uses it and records the erasure
/// in the audit trail with row ids and hashes only.
/// </summary>
public sealed class ErasureCommitter(
    JobStore store,
    ArtifactStore artifacts,
    DatasetCatalog datasets,
    AuditTrail audit,
    ILogger<ErasureCommitter> logger)
{
    /// <summary>
    /// Commits the job. Throws FAILED_PRECONDITION when the dataset's training file changed while the job ran, because
    /// the job's row ids and model then refer to a file that is gone.
    /// </summary>
    /// <remarks>
    /// NOTE: the purged file is stored before the transaction, so a crash between the two leaves an unused artifact.
    /// The commit journal covers weights only and does not remove it.
    /// </remarks>
    public async Task CommitAsync(JobRow job, JobRunInput input, ModelVersionRow version, Proto.JobResult result, long sequence, DateTimeOffset now, JobLease? lease)
    {
        var previous = input.Dataset;
        RequireBaseFileCurrent(job.Id, input.BaseVersion!, previous);
        string previousSha256 = previous.TrainSha256;
        int newDatasetVersion = previous.Version + 1;
        var request = input.ErasureRequest!;
        var definition = DatasetMapper.DefinitionFromJson(previous.DefinitionJson);
        byte[] trainFile = await artifacts.ReadVerifiedAsync(previous.TrainSha256, CancellationToken.None);
        var purge = await Task.Run(() => TrainingFilePurge.Purge(definition, trainFile, $"{previous.Name} train file", request.RowIds));
        var splitOf = await SplitsOfAsync(previous, request.RowIds);

        // Loading the purged file checks that a model can still be trained on it before anything is stored.
        byte[]? testFile = previous.TestSha256 is null ? null : await artifacts.ReadVerifiedAsync(previous.TestSha256, CancellationToken.None);
        var prepared = await Task.Run(() => JobEngine.LoadDataset(previous.Name, previous.DefinitionJson, purge.File, testFile));
        prepared.ValidateForTraining();
        string newSha256 = await artifacts.WriteAsync(purge.File, CancellationToken.None);

        string erasureId = Guid.CreateVersion7().ToString();
        result.Erasure.ErasureId = erasureId;
        version.DatasetTrainSha256 = newSha256;
        version.DatasetVersion = newDatasetVersion;
        var certificate = new Proto.ErasureCertificate
        {
            Id = erasureId,
            JobId = job.Id,
            IssuedAt = now.UtcDateTime.ToTimestamp(),
            RequestedBy = await RequesterOfAsync(job.Id),
            Reason = request.Reason,
            DatasetId = previous.Id,
            Rows = { purge.Rows.Select(r => new Proto.ErasedRow { RowId = r.RowId, Sha256 = r.Sha256, Split = splitOf.GetValueOrDefault(r.RowId, "") }) },
            Method = new Proto.ErasureMethod
            {
                Name = "newton_removal",
                Layers = { result.Erasure.Layers },
                Damping = result.Erasure.Damping,
                DampingChosenByRule = result.Erasure.DampingChosenByRule,
                NewtonSteps = result.Erasure.NewtonSteps,
                SolverIterations = result.Erasure.SolverIterations,
                SolverResidual = result.Erasure.SolverResidual,
            },
            Verification = result.Erasure.Verification,
            BaseVersionId = version.ParentVersionId ?? "",
            NewVersionId = version.Id,
            PreviousTrainSha256 = previous.TrainSha256,
            NewTrainSha256 = newSha256,
            PreviousDatasetVersion = previous.Version,
            NewDatasetVersion = newDatasetVersion,
        };

        var resultEvent = JobEvents.Result(job.Id, sequence, now, result);
        await store.SucceedAsync(job.Id, null, version, resultEvent, setDatasetDefault: false, CancellationToken.None, lease, alsoInTransaction: async (db, token) =>
        {
            var dataset = await db.Datasets.FirstAsync(d => d.Id == previous.Id, token);
            if (dataset.TrainSha256 != previousSha256)
            {
                throw EngineException.Precondition("model_version_id",
                    $"Dataset {dataset.Name} changed while erasure job {job.Id} ran (another erasure purged it), so its row ids no longer apply; submit the erasure again.");
            }

            certificate.VersionsAffected.AddRange(await AffectedVersionsAsync(db, previous.Id, token));
            certificate.PreviousFileDeleted = !await db.Datasets.AnyAsync(
                d => d.Id != previous.Id && (d.TrainSha256 == previousSha256 || d.TestSha256 == previousSha256), token)
                && previous.TestSha256 != previousSha256;
            dataset.TrainSha256 = newSha256;
            dataset.Version = newDatasetVersion;
            dataset.TrainRows = prepared.Train.Count;
            dataset.ValidationRows = prepared.Validation.Count;
            dataset.TestRows = prepared.Test.Count;
            dataset.DroppedRows = prepared.DroppedRows;
            dataset.ExcludedRows = prepared.ExcludedRows;
            db.Erasures.Add(new ErasureRow
            {
                Id = erasureId,
                JobId = job.Id,
                DatasetId = previous.Id,
                BaseVersionId = certificate.BaseVersionId,
                NewVersionId = version.Id,
                RequestedBy = certificate.RequestedBy,
                IssuedAt = now.UtcDateTime,
                Certificate = certificate.ToByteArray(),
            });
        }, beforePublish: () => AfterCommitAsync(previous, prepared, certificate));
    }

    /// <summary>
    /// Throws FAILED_PRECONDITION when the dataset's training file is no longer the one the erased version was made on.
    /// The job's row ids were resolved against that file at submission, so after another erasure purged it they would
    /// name other rows, and the new version would still carry the rows the other erasure removed.
    /// </summary>
    public static void RequireBaseFileCurrent(string jobId, ModelVersionRow erased, DatasetRow dataset)
    {
        if (erased.DatasetTrainSha256 is { } made && made != dataset.TrainSha256)
        {
            throw EngineException.Precondition("model_version_id",
                $"Dataset {dataset.Name} changed from version {erased.DatasetVersion} to {dataset.Version} after erasure job {jobId} was submitted " +
                $"on version {erased.Id}, so the job's row ids would name other rows; nothing was erased. " +
                "Submit the erasure again on a version made on the current dataset version.");
        }
    }

    /// <summary>Caches the new dataset version, deletes the previous file and records the erasure in the audit trail.</summary>
    private async Task AfterCommitAsync(DatasetRow dataset, PreparedDataset prepared, Proto.ErasureCertificate certificate)
    {
        // The job's copy of the dataset row now describes the new version, so the cache keys the loaded file by it.
        dataset.TrainSha256 = certificate.NewTrainSha256;
        dataset.Version = certificate.NewDatasetVersion;
        datasets.CachePrepared(dataset, prepared);
        if (certificate.PreviousFileDeleted)
            DeletePreviousFile(certificate.PreviousTrainSha256);

        logger.ErasureCommitted(certificate.Id, certificate.Rows.Count, certificate.NewVersionId, dataset.Id, certificate.NewDatasetVersion);
        await audit.TryAppendAsync(certificate.RequestedBy, AuditActions.Erasure, $"erasure/{certificate.Id}", new Dictionary<string, object?>
        {
            ["job_id"] = certificate.JobId,
            ["dataset_id"] = dataset.Id,
            ["base_version_id"] = certificate.BaseVersionId,
            ["new_version_id"] = certificate.NewVersionId,
            ["row_ids"] = certificate.Rows.Select(r => r.RowId).ToArray(),
            ["row_sha256"] = certificate.Rows.Select(r => r.Sha256).ToArray(),
            ["previous_train_sha256"] = certificate.PreviousTrainSha256,
            ["new_train_sha256"] = certificate.NewTrainSha256,
            ["previous_file_deleted"] = certificate.PreviousFileDeleted,
            ["verification_passed"] = certificate.Verification.Passed,
        });
    }

    /// <summary>Returns the split of each row id that the previous file's loaded dataset put in train, validation or test.</summary>
    private async Task<Dictionary<long, string>> SplitsOfAsync(DatasetRow dataset, IEnumerable<long> rowIds)
    {
        var data = await datasets.GetPreparedAsync(dataset);
        var splits = new Dictionary<long, string>();
        var erasedRowIds = rowIds.ToHashSet();
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            foreach (long rowId in split.RowIds)
            {
                if (erasedRowIds.Contains(rowId))
                    splits[rowId] = split.Name;
            }
        }

        return splits;
    }

    private async Task<string> RequesterOfAsync(string jobId)
    {
        var submitted = await audit.ListAsync(new AuditFilter(null, AuditActions.JobSubmit, $"job/{jobId}", null, null, 0, 1), CancellationToken.None);
        return submitted.Count > 0 ? submitted[0].Actor : AuditActors.Anonymous;
    }

    /// <summary>Lists the versions made by jobs on the dataset's models; they were all made on files that contain the rows.</summary>
    private static async Task<List<string>> AffectedVersionsAsync(ComputeDbContext db, string datasetId, CancellationToken cancellationToken)
    {
        var modelIds = db.Models.Where(m => m.DatasetId == datasetId).Select(m => m.Id);
        return await db.ModelVersions.AsNoTracking()
            .Where(v => modelIds.Contains(v.ModelId) && v.JobId != "")
            .OrderBy(v => v.CreatedAt)
            .Select(v => v.Id)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes the previous training file, which the commit found no dataset using. A failure is logged and leaves the
    /// file in place, although the certificate already records it as deleted.
    /// </summary>
    private void DeletePreviousFile(string sha256)
    {
        try
        {
            File.Delete(artifacts.PathOf(sha256));
        }
        catch (IOException error)
        {
            logger.ErasedFileNotDeleted(error, sha256);
        }
        catch (UnauthorizedAccessException error)
        {
            logger.ErasedFileNotDeleted(error, sha256);
        }
    }
}
