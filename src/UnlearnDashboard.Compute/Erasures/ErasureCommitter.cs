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
/// Commits a finished erasure job: purges the rows from the dataset's files (a new dataset version), then, in the
/// job's commit transaction, stores the new model version, the dataset's new files and counts, and the certificate.
/// A dataset default version that still carries the rows moves to the new version in the same transaction.
/// Afterwards it deletes each previous file that changed when no dataset uses it and records the erasure in the
/// audit trail with row ids and hashes only.
/// </summary>
/// <remarks>
/// A dataset without a test file gets one on its first erasure: the records of the test split that the base version
/// was evaluated on, without the erased ones. Its test rows then never move, so versions on either side of an
/// erasure are evaluated on the same rows, and no row that an earlier version trained on enters the test split.
/// </remarks>
public sealed class ErasureCommitter(
    JobStore store,
    ArtifactStore artifacts,
    DatasetCatalog datasets,
    AuditTrail audit,
    CounterfactualSetWithdrawal withdrawal,
    ILogger<ErasureCommitter> logger)
{
    /// <summary>
    /// Commits the job. Throws FAILED_PRECONDITION when the dataset's files changed while the job ran, because the
    /// job's row ids and model then refer to files that are gone.
    /// </summary>
    /// <remarks>
    /// NOTE: the purged files are stored before the transaction, so a crash between the two leaves unused artifacts.
    /// The commit journal covers weights only and does not remove them. Counterfactual sets that copy an erased record
    /// are withdrawn in the transaction, but their artifacts are deleted after it, so a crash in between leaves those
    /// files on disk, unreachable through the server because the sets are WITHDRAWN.
    /// </remarks>
    public async Task CommitAsync(JobRow job, JobRunInput input, ModelVersionRow version, Proto.JobResult result, long sequence, DateTimeOffset now, JobLease? lease)
    {
        var previous = input.Dataset;
        RequireBaseFileCurrent(job.Id, input.BaseVersion!, previous);
        string previousTrainSha256 = previous.TrainSha256;
        string? previousTestSha256 = previous.TestSha256;
        int newDatasetVersion = previous.Version + 1;
        var request = input.ErasureRequest!;
        var definition = DatasetMapper.DefinitionFromJson(previous.DefinitionJson);
        var files = await ReadFilesAsync(artifacts, previous, CancellationToken.None);

        // The loaded previous version has the splits that the base version, made on the same files with the same
        // definition, was trained and evaluated on.
        var current = await datasets.GetPreparedAsync(previous);
        var purge = await Task.Run(() => TrainingFilePurge.Purge(
            definition, files, previous.Name, request.RowIds, current.Test.RowIds, current.Validation.RowIds));
        var splitOf = SplitsOf(current, request.RowIds);

        // Loading the purged files checks that a model can still be trained on them before anything is stored.
        string newDefinitionJson = purge.Definition.ToJson();
        var prepared = await Task.Run(() => JobEngine.LoadDataset(previous.Name, newDefinitionJson, purge.TrainFile, purge.TestFile));
        prepared.ValidateForTraining();
        string newTrainSha256 = await artifacts.WriteAsync(purge.TrainFile, CancellationToken.None);
        string newTestSha256 = await artifacts.WriteAsync(purge.TestFile, CancellationToken.None);

        string erasureId = Guid.CreateVersion7().ToString();
        result.Erasure.ErasureId = erasureId;
        version.DatasetTrainSha256 = newTrainSha256;
        version.DatasetTestSha256 = newTestSha256;
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
            PreviousTrainSha256 = previousTrainSha256,
            NewTrainSha256 = newTrainSha256,
            PreviousDatasetVersion = previous.Version,
            NewDatasetVersion = newDatasetVersion,
            PreviousTestSha256 = previousTestSha256 ?? "",
            NewTestSha256 = newTestSha256,
        };

        var resultEvent = JobEvents.Result(job.Id, sequence, now, result);
        await store.SucceedAsync(job.Id, null, version, resultEvent, setDatasetDefault: false, CancellationToken.None, lease, alsoInTransaction: async (db, token) =>
        {
            // Withdrawing first takes the dataset row's lock, so the check below and the sets it finds are current.
            certificate.WithdrawnCounterfactualSets.Clear();
            certificate.WithdrawnCounterfactualSets.AddRange(
                await withdrawal.WithdrawCopiesAsync(db, previous, current, request.RowIds, erasureId, now.UtcDateTime, token));
            var dataset = await db.Datasets.FirstAsync(d => d.Id == previous.Id, token);
            if (dataset.TrainSha256 != previousTrainSha256 || dataset.TestSha256 != previousTestSha256)
            {
                throw EngineException.Precondition("model_version_id",
                    $"Dataset {dataset.Name} changed while erasure job {job.Id} ran (another erasure purged it), so its row ids no longer apply; submit the erasure again.");
            }

            certificate.VersionsAffected.AddRange(await AffectedVersionsAsync(db, previous.Id, token));

            // A default that still carries the rows would be the base of the next debias request without a version.
            if (dataset.DefaultModelVersionId is { } defaultId && certificate.VersionsAffected.Contains(defaultId))
                dataset.DefaultModelVersionId = version.Id;
            var newFiles = new[] { newTrainSha256, newTestSha256 };
            certificate.PreviousFileDeleted = await IsUnusedAsync(db, previous.Id, previousTrainSha256, newFiles, token);
            certificate.PreviousTestFileDeleted = previousTestSha256 is not null
                && await IsUnusedAsync(db, previous.Id, previousTestSha256, newFiles, token);
            dataset.TrainSha256 = newTrainSha256;
            dataset.TestSha256 = newTestSha256;
            dataset.DefinitionJson = newDefinitionJson;
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
        }, beforePublish: () => AfterCommitAsync(previous, newDefinitionJson, prepared, certificate, purge.TestSplitFrozen));
    }

    /// <summary>
    /// Throws FAILED_PRECONDITION when the dataset's files are no longer the ones the erased version was made on. The
    /// job's row ids were resolved against those files at submission, so after another erasure purged them they would
    /// name other rows, and the new version would still carry the rows the other erasure removed.
    /// </summary>
    public static void RequireBaseFileCurrent(string jobId, ModelVersionRow erased, DatasetRow dataset)
    {
        if (!IsMadeOnCurrentFiles(erased, dataset))
        {
            throw EngineException.Precondition("model_version_id",
                $"Dataset {dataset.Name} changed from version {erased.DatasetVersion} to {dataset.Version} after erasure job {jobId} was submitted " +
                $"on version {erased.Id}, so the job's row ids would name other rows; nothing was erased. " +
                "Submit the erasure again on a version made on the current dataset version.");
        }
    }

    /// <summary>
    /// Throws FAILED_PRECONDITION naming <c>model_version_id</c> when a debias base version was made on an earlier
    /// dataset version than the current one. An erasure purged rows from the files since, so the base version and any
    /// version debiased from it still carry the erased rows' influence.
    /// </summary>
    public static void RequireDebiasBaseCurrent(ModelVersionRow baseVersion, DatasetRow dataset)
    {
        if (!IsMadeOnCurrentFiles(baseVersion, dataset))
        {
            throw EngineException.Precondition("model_version_id",
                $"Version {baseVersion.Id} was made on version {baseVersion.DatasetVersion} of dataset {dataset.Name}, but an erasure has since " +
                $"purged rows and the dataset is at version {dataset.Version}, so the version still carries the erased rows. " +
                "Debias the version that the erasure made instead ('unlearn erasures list' or ListErasures shows it), or a version made on the current dataset version.",
                baseVersion.Id);
        }
    }

    /// <summary>
    /// Returns whether the version was made on the dataset's current training and test files. A version made before
    /// lineage was recorded has no file hashes and passes.
    /// </summary>
    public static bool IsMadeOnCurrentFiles(ModelVersionRow version, DatasetRow dataset) =>
        version.DatasetTrainSha256 is null
        || (version.DatasetTrainSha256 == dataset.TrainSha256 && version.DatasetTestSha256 == dataset.TestSha256);

    /// <summary>Reads the dataset's training file and test file, if any, checking their hashes.</summary>
    public static async Task<DatasetFileContents> ReadFilesAsync(ArtifactStore artifacts, DatasetRow dataset, CancellationToken cancellationToken)
    {
        byte[] train = await artifacts.ReadVerifiedAsync(dataset.TrainSha256, cancellationToken);
        byte[]? test = dataset.TestSha256 is null ? null : await artifacts.ReadVerifiedAsync(dataset.TestSha256, cancellationToken);
        return new DatasetFileContents(train, test);
    }

    /// <summary>Caches the new dataset version, deletes the previous files that are unused and records the erasure in the audit trail.</summary>
    private async Task AfterCommitAsync(
        DatasetRow dataset, string definitionJson, PreparedDataset prepared, Proto.ErasureCertificate certificate, bool testSplitFrozen)
    {
        // The job's copy of the dataset row now describes the new version, so the cache keys the loaded files by it.
        dataset.TrainSha256 = certificate.NewTrainSha256;
        dataset.TestSha256 = certificate.NewTestSha256;
        dataset.DefinitionJson = definitionJson;
        dataset.Version = certificate.NewDatasetVersion;
        datasets.CachePrepared(dataset, prepared);
        if (certificate.PreviousFileDeleted)
            DeletePreviousFile(certificate.PreviousTrainSha256);
        if (certificate.PreviousTestFileDeleted)
            DeletePreviousFile(certificate.PreviousTestSha256);
        foreach (var set in certificate.WithdrawnCounterfactualSets)
        {
            logger.CounterfactualSetWithdrawn(set.SetId, certificate.Id, set.RowIds.Count);
            if (set.ArtifactDeleted)
                DeletePreviousFile(set.ArtifactSha256);
        }

        if (testSplitFrozen)
            logger.TestSplitFrozen(dataset.Id, prepared.Test.Count, certificate.NewTestSha256);
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
            ["previous_test_sha256"] = certificate.PreviousTestSha256,
            ["new_test_sha256"] = certificate.NewTestSha256,
            ["previous_test_file_deleted"] = certificate.PreviousTestFileDeleted,
            ["verification_passed"] = certificate.Verification.Passed,
            ["withdrawn_counterfactual_set_ids"] = certificate.WithdrawnCounterfactualSets.Select(s => s.SetId).ToArray(),
        });
    }

    /// <summary>Returns the split of each row id that the previous version's loaded dataset put in train, validation or test.</summary>
    private static Dictionary<long, string> SplitsOf(PreparedDataset data, IEnumerable<long> rowIds)
    {
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

    /// <summary>
    /// Returns whether a previous file of the dataset can be deleted: the new version does not keep it (a file none of
    /// whose rows were erased keeps its hash) and no other dataset uses it.
    /// </summary>
    private static async Task<bool> IsUnusedAsync(ComputeDbContext db, string datasetId, string sha256, string[] newFiles, CancellationToken cancellationToken) =>
        !newFiles.Contains(sha256)
        && !await db.Datasets.AnyAsync(d => d.Id != datasetId && (d.TrainSha256 == sha256 || d.TestSha256 == sha256), cancellationToken);

    private async Task<string> RequesterOfAsync(string jobId)
    {
        var submitted = await audit.ListAsync(new AuditFilter(null, AuditActions.JobSubmit, $"job/{jobId}", null, null, 0, 1), CancellationToken.None);
        return submitted.Count > 0 ? submitted[0].Actor : AuditActors.Anonymous;
    }

    /// <summary>
    /// Lists the versions of the dataset's models, imported ones included: they were all made on files that contain the
    /// rows, and the server refuses to debias any of them from now on for that reason.
    /// </summary>
    private static async Task<List<string>> AffectedVersionsAsync(ComputeDbContext db, string datasetId, CancellationToken cancellationToken)
    {
        var modelIds = db.Models.Where(m => m.DatasetId == datasetId).Select(m => m.Id);
        return await db.ModelVersions.AsNoTracking()
            .Where(v => modelIds.Contains(v.ModelId))
            .OrderBy(v => v.CreatedAt)
            .Select(v => v.Id)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes a previous file of the dataset, or a withdrawn set's rows, which the commit found unused. A failure is
    /// logged and leaves the file in place, although the certificate already records it as deleted.
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
