using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Erasure requests on the fixture's adult and German Credit datasets. Each erasure purges rows and so gives the
/// dataset a new version, so every test erases from a model it trains first on the dataset's current version.
/// </summary>
public abstract class ErasureServiceTests(JobServerFixture server)
{
    [Fact]
    public async Task Erase_FiftyAdultRows_MatchesRetrainedMembershipAuc()
    {
        string versionId = await TrainAsync("adult");
        var before = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult" });
        long[] named = Enumerable.Range(1000, 50).Select(i => (long)i).ToArray();
        // The file's records are its lines after the header; the reader skips the blank line at its end.
        string[] records = File.ReadAllLines(Path.Combine(DatasetProfiles.DataFolder, "adult.csv")).Skip(1).Where(l => l.Trim().Length > 0).ToArray();

        var job = await EraseAsync(new ErasureRequest { ModelVersionId = versionId, RowIds = { named }, Reason = "request 17" });
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Result.Erasure.ErasureId });
        var byJob = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Id });
        var after = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult" });
        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = certificate.NewVersionId });
        var audit = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"erasure/{certificate.Id}" })).Entries.Single();
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        // The acceptance check: the erased model's attack AUC on the rows is within 0.05 of a retrain's.
        var check = certificate.Verification;
        Assert.True(check.HasErasedAuc && check.HasRetrainedAuc, check.Message);
        Assert.True(Math.Abs(check.ErasedAuc - check.RetrainedAuc) <= 0.05, check.Message);
        Assert.True(check.Passed, check.Message);
        Assert.Equal(check.RetrainedAuc, check.ReferenceAuc);
        Assert.True(check.NonMemberCount >= 1000, $"{check.NonMemberCount} non-members");

        Assert.Equal(certificate, byJob);
        Assert.Equal(named, certificate.Rows.Select(r => r.RowId));
        for (int i = 0; i < named.Length; i++)
            Assert.Equal(Sha256OfRecord(records[named[i]]), certificate.Rows[i].Sha256);
        long trained = certificate.Rows.Count(r => r.Split == "train");
        Assert.True(trained >= 30, $"{trained} of the 50 rows were in the training split");
        Assert.Equal(trained, check.MemberCount);

        // A record with a missing value ('?') is dropped by the loader, so it was in no split.
        for (int i = 0; i < named.Length; i++)
        {
            bool dropped = records[named[i]].Split(',').Any(v => v.Trim() == "?");
            string[] splits = dropped ? [""] : ["train", "validation"];
            Assert.Contains(certificate.Rows[i].Split, splits);
        }

        Assert.Equal("newton_removal", certificate.Method.Name);
        Assert.Equal(["fc3"], certificate.Method.Layers);
        Assert.Equal("request 17", certificate.Reason);
        var submitted = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"job/{job.Id}", Action = "job.submit" })).Entries.Single();
        Assert.Equal(submitted.Actor, certificate.RequestedBy);
        Assert.NotEqual("anonymous", certificate.RequestedBy);
        Assert.Equal(versionId, certificate.BaseVersionId);
        Assert.Contains(versionId, certificate.VersionsAffected);
        Assert.Contains(server.Adult.DefaultModelVersionId, certificate.VersionsAffected);
        Assert.DoesNotContain(certificate.NewVersionId, certificate.VersionsAffected);

        Assert.Equal(before.TrainSha256, certificate.PreviousTrainSha256);
        Assert.Equal(after.TrainSha256, certificate.NewTrainSha256);
        Assert.NotEqual(before.TrainSha256, after.TrainSha256);

        // No erased row was in the test file, so it stays as registered, and so does the validation fraction.
        Assert.NotEqual("", before.TestSha256);
        Assert.Equal(before.TestSha256, certificate.PreviousTestSha256);
        Assert.Equal(before.TestSha256, certificate.NewTestSha256);
        Assert.Equal(before.TestSha256, after.TestSha256);
        Assert.False(certificate.PreviousTestFileDeleted);
        Assert.True(File.Exists(ArtifactPath(before.TestSha256)));
        Assert.Equal(before.TestRows, after.TestRows);
        // The validation split keeps its rows: the spec names them in place of a fraction.
        Assert.False(after.Spec.HasValidationFraction);
        Assert.Equal(after.ValidationRows, after.Spec.ValidationRecords.Count);
        Assert.Equal(before.ValidationRows - certificate.Rows.Count(r => r.Split == "validation"), after.ValidationRows);
        Assert.Equal(job.Result.Erasure.After.Count, after.TestRows);
        Assert.Equal(certificate.PreviousDatasetVersion + 1, certificate.NewDatasetVersion);
        Assert.True(certificate.PreviousFileDeleted);
        Assert.False(File.Exists(ArtifactPath(certificate.PreviousTrainSha256)));
        string purged = await File.ReadAllTextAsync(ArtifactPath(certificate.NewTrainSha256));
        Assert.Equal(records.Length - named.Length, purged.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        Assert.Equal(before.TrainRows + before.ValidationRows - certificate.Rows.Count(r => r.Split != ""), after.TrainRows + after.ValidationRows);

        Assert.Equal(versionId, lineage.ParentVersionId);
        Assert.Equal(VersionLineage.RequestOneofCase.ErasureRequest, lineage.RequestCase);
        Assert.Equal(named, lineage.ErasureRequest.RowIds);
        Assert.Equal(certificate.Rows.Where(r => r.Split == "train").Select(r => r.RowId), lineage.RemovedRowIds);
        Assert.Equal(after.TrainSha256, lineage.DatasetTrainSha256);
        Assert.Equal(after.TestSha256, lineage.DatasetTestSha256);
        Assert.Equal(certificate.NewDatasetVersion, lineage.DatasetVersion);
        Assert.Equal(job.Result.Erasure.After.Intervals, lineage.TestReport.Intervals);
        Assert.True(lineage.TestReport.Intervals.Metrics.Single(m => m.Metric == "demographic_parity_difference").HasLower);

        // The audit trail keeps ids and hashes, never the rows' values.
        Assert.Contains(certificate.Rows[0].Sha256, audit.DetailsJson);
        Assert.DoesNotContain(records[named[0]].Split(',')[2].Trim(), audit.DetailsJson);
        Assert.True(verification.Intact, verification.Reason);
    }

    [Fact]
    public async Task Erase_ByKeyColumn_PurgesMatchingRows()
    {
        string versionId = await TrainAsync("german-credit");
        string[] lines = File.ReadAllLines(Path.Combine(DatasetProfiles.DataFolder, "german-credit.csv"));
        int purpose = Array.IndexOf(lines[0].Split(','), "purpose");
        long[] expected = lines.Skip(1).Select((line, i) => (line, i))
            .Where(p => p.line.Split(',')[purpose] is "A48" or "A44")
            .Select(p => (long)p.i)
            .ToArray();

        var job = await EraseAsync(new ErasureRequest
        {
            ModelVersionId = versionId,
            KeyColumn = "purpose",
            KeyValues = { "A48", " A44 " },
            Layers = { "fc3" },
            SkipRetrain = true,
        });
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Id });
        var listed = await server.Erasures.ListErasuresAsync(new ListErasuresRequest { Dataset = "german-credit" });
        var pack = await new ReportService.ReportServiceClient(server.Channel).GenerateMeetingPackAsync(new MeetingPackRequest
        {
            BaselineVersionId = versionId,
            CandidateVersionId = certificate.NewVersionId,
        });
        var again = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(new ErasureRequest
        {
            ModelVersionId = versionId,
            RowIds = { 0 },
        }).ResponseAsync);
        var empty = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(new ErasureRequest
        {
            ModelVersionId = versionId,
        }).ResponseAsync);

        Assert.Equal(21, expected.Length);
        Assert.Equal(expected, certificate.Rows.Select(r => r.RowId));
        Assert.Equal(["fc3"], certificate.Method.Layers);
        Assert.False(certificate.Verification.HasRetrainedAuc);
        Assert.Equal(0.5, certificate.Verification.ReferenceAuc);
        Assert.Equal([certificate.Id], listed.Certificates.Select(c => c.Id));
        Assert.Equal([certificate], pack.Erasures);
        Assert.Contains(pack.AuditExcerpt, e => e.Subject == $"erasure/{certificate.Id}" && e.Action == "erasure");
        Assert.Contains($"<td class=\"hash\">{certificate.Id}</td>", pack.Html);

        // The version was made on the file before the purge, whose row ids no longer apply.
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Equal(["model_version_id"], RpcAssert.ViolatedFields(again));

        // A request naming no rows is wrong whatever the version, so that is reported first.
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal(["row_ids"], RpcAssert.ViolatedFields(empty));
    }

    [Fact]
    public async Task Erase_TwiceFromOneVersion_SecondFailsWithoutErasing()
    {
        // A dataset of its own, so the purge leaves the row ids of the other tests' german-credit alone.
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-credit-erased-twice"),
            TrainPath = "german-credit.csv",
        });
        string versionId = await TrainAsync("german-credit-erased-twice");
        var before = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "german-credit-erased-twice" });
        var first = await server.Erasures.SubmitErasureAsync(Request(versionId, rowId: 0));
        var second = await server.Erasures.SubmitErasureAsync(Request(versionId, rowId: 50));

        var firstEnded = await JobWatcher.WaitForEndAsync(server.Jobs, first.Id);
        var secondEnded = await JobWatcher.WaitForEndAsync(server.Jobs, second.Id);
        var after = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "german-credit-erased-twice" });
        var certificates = await server.Erasures.ListErasuresAsync(new ListErasuresRequest { Dataset = "german-credit-erased-twice" });
        var firstCertificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = first.Id });

        // The second job's row id 50 was resolved on the file that the first erasure then purged.
        Assert.Equal(JobState.Succeeded, firstEnded.State);
        Assert.Equal(JobState.Failed, secondEnded.State);
        Assert.Contains("would name other rows", secondEnded.Error);
        Assert.Equal(before.TrainSha256, firstCertificate.PreviousTrainSha256);
        Assert.Equal(firstCertificate.NewTrainSha256, after.TrainSha256);
        Assert.Equal([0L], firstCertificate.Rows.Select(r => r.RowId));
        Assert.DoesNotContain(certificates.Certificates, c => c.JobId == second.Id);

        static ErasureRequest Request(string versionId, long rowId) =>
            new() { ModelVersionId = versionId, RowIds = { rowId }, Layers = { "fc3" }, SkipRetrain = true };
    }

    [Fact]
    public async Task Erase_GermanTestRows_KeepsParentTestSplit()
    {
        // A dataset of its own, so the purge leaves the row ids of the other tests' german-credit alone.
        const string name = "german-credit-stable-split";
        await RegisterGermanAsync(name);
        string parentId = await TrainAsync(name);
        var before = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name });
        var parentData = await LoadStoredAsync(before);
        long[] testRows = [parentData.Test.RowIds[0], parentData.Test.RowIds[10]];
        long trainRow = parentData.Train.RowIds[0];
        long[] named = testRows.Append(trainRow).Order().ToArray();

        var job = await EraseAsync(new ErasureRequest { ModelVersionId = parentId, RowIds = { named }, Layers = { "fc3" }, SkipRetrain = true });
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Id });
        var after = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name });
        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = certificate.NewVersionId });
        var childData = await LoadStoredAsync(after);
        var parentOnCurrent = await server.Models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = parentId });
        var comparison = await Comparisons.CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = parentId,
            CandidateVersionId = certificate.NewVersionId,
        });

        Assert.Equal(named, certificate.Rows.Select(r => r.RowId));
        Assert.Equal(named.Select(id => id == trainRow ? "train" : "test"), certificate.Rows.Select(r => r.Split));
        Assert.StartsWith("Membership-inference AUC on the 1 erased row against ", certificate.Verification.Message);
        Assert.Contains("against 0.5, the AUC of a guess; the difference ", certificate.Verification.Message);
        Assert.Contains("With 1 erased row in the training split, fewer than 30, the AUC is that row's rank among the test rows' losses, "
            + "so this check is weak", certificate.Verification.Message);
        Assert.Equal("", before.TestSha256);
        Assert.Equal("", certificate.PreviousTestSha256);
        Assert.Equal(after.TestSha256, certificate.NewTestSha256);
        Assert.Equal(after.TestSha256, lineage.DatasetTestSha256);
        Assert.Equal(after.TrainSha256, lineage.DatasetTrainSha256);
        Assert.Equal(after.TestSha256, Sha256OfFile(ArtifactPath(after.TestSha256)));
        // Other datasets of the fixture may share the registered file, so the certificate records whether it was deleted.
        Assert.Equal(certificate.PreviousFileDeleted, !File.Exists(ArtifactPath(before.TrainSha256)));

        // The test split is the parent's, row for row, without the erased rows, and no parent training row is in it.
        var expected = RowHashes(parentData.Test.Without(testRows.ToHashSet()));
        Assert.Equal(parentData.Test.Count - 2, expected.Count);
        Assert.Equal(expected, RowHashes(childData.Test));
        Assert.Empty(RowHashes(parentData.Train).Intersect(RowHashes(childData.Test)));
        Assert.Equal(expected.Count, after.TestRows);
        Assert.Equal(before.TrainRows + before.ValidationRows - 1, after.TrainRows + after.ValidationRows);
        Assert.False(after.Spec.HasValidationFraction);

        // The train and validation splits keep their rows too, so no row the parent trained on moved to validation.
        Assert.Equal(RowHashes(parentData.Validation), RowHashes(childData.Validation));
        Assert.Equal(RowHashes(parentData.Train.Without(new HashSet<long> { trainRow })), RowHashes(childData.Train));
        Assert.Equal(before.ValidationRows, after.ValidationRows);

        // The erased records are in neither stored file.
        var stored = StoredRecordHashes(after.TrainSha256).Concat(StoredRecordHashes(after.TestSha256)).ToHashSet();
        Assert.Equal(1000 - named.Length, stored.Count);
        Assert.DoesNotContain(certificate.Rows, row => stored.Contains(row.Sha256));

        // The child's stored report, the parent on the current dataset and both sides of a comparison use the kept test rows.
        Assert.Equal(expected.Count, job.Result.Erasure.After.Count);
        Assert.Equal(expected.Count, parentOnCurrent.Count);
        Assert.Equal(expected.Count, comparison.BaselineReport.Count);
        Assert.Equal(expected.Count, comparison.CandidateReport.Count);
    }

    [Fact]
    public async Task Erase_Twice_TestFileLosesOnlyErasedRows()
    {
        const string name = "german-credit-erased-again";
        await RegisterGermanAsync(name);
        string parentId = await TrainAsync(name);
        var parentData = await LoadStoredAsync(await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name }));

        // A test row that no other test erases, so that no other dataset has the same test file and it can be deleted.
        long firstRow = parentData.Test.RowIds[5];
        var first = await EraseAsync(new ErasureRequest { ModelVersionId = parentId, RowIds = { firstRow }, Layers = { "fc3" }, SkipRetrain = true });
        string childId = first.Result.Erasure.NewVersionId;
        var afterFirst = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name });
        var firstData = await LoadStoredAsync(afterFirst);
        long testRow = firstData.Test.RowIds[3];

        var second = await EraseAsync(new ErasureRequest { ModelVersionId = childId, RowIds = { testRow }, Layers = { "fc3" }, SkipRetrain = true });
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = second.Id });
        var afterSecond = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name });
        var secondData = await LoadStoredAsync(afterSecond);
        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = certificate.NewVersionId });
        var stale = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(new ErasureRequest { ModelVersionId = childId, RowIds = { 0 } }).ResponseAsync);

        // Row ids of the test file follow the training file's records.
        Assert.True(testRow >= afterFirst.TrainRows + afterFirst.ValidationRows, $"row id {testRow}");
        Assert.Equal([testRow], certificate.Rows.Select(r => r.RowId));
        Assert.Equal(["test"], certificate.Rows.Select(r => r.Split));
        Assert.Equal(afterFirst.TestSha256, certificate.PreviousTestSha256);
        Assert.Equal(afterSecond.TestSha256, certificate.NewTestSha256);
        Assert.NotEqual(certificate.PreviousTestSha256, certificate.NewTestSha256);
        Assert.True(certificate.PreviousTestFileDeleted);
        Assert.False(File.Exists(ArtifactPath(afterFirst.TestSha256)));
        Assert.Equal(afterSecond.TestSha256, lineage.DatasetTestSha256);
        Assert.Equal(certificate.PreviousDatasetVersion + 1, certificate.NewDatasetVersion);

        // Only the test file changed: the training file keeps its hash and is not deleted.
        Assert.Equal(afterFirst.TrainSha256, certificate.NewTrainSha256);
        Assert.False(certificate.PreviousFileDeleted);
        Assert.True(File.Exists(ArtifactPath(afterSecond.TrainSha256)));
        Assert.Equal(afterFirst.Spec.ValidationFraction, afterSecond.Spec.ValidationFraction);

        Assert.Equal(RowHashes(firstData.Test.Without(new HashSet<long> { testRow })), RowHashes(secondData.Test));
        Assert.Empty(RowHashes(firstData.Train).Intersect(RowHashes(secondData.Test)));
        Assert.Equal(firstData.Test.Count - 1, second.Result.Erasure.After.Count);
        Assert.DoesNotContain(certificate.Rows[0].Sha256, StoredRecordHashes(afterSecond.TestSha256));

        // The child was made on the previous test file, whose row ids no longer apply.
        Assert.Equal(StatusCode.FailedPrecondition, stale.StatusCode);
        Assert.Equal(["model_version_id"], RpcAssert.ViolatedFields(stale));
    }

    [Fact]
    public async Task Erase_RowsCopiedBySets_WithdrawsSets()
    {
        // A dataset of its own, so the purges leave the row ids of the other tests' german-credit alone.
        const string name = "german-credit-set-copies";
        await RegisterGermanAsync(name);
        string parentId = await TrainAsync(name);
        var approved = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(name, maxRows: 60, seed: 11));
        approved = await server.ComplianceCounterfactuals.ApproveCounterfactualSetAsync(new ReviewCounterfactualSetRequest { SetId = approved.Id });
        var pending = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(name, maxRows: 40, seed: 12));
        var approvedRows = await AllPairsAsync(approved.Id);
        var pendingRows = await AllPairsAsync(pending.Id);
        long erasedRow = approvedRows.Select(p => p.RowId).Except(pendingRows.Select(p => p.RowId)).First();

        // The debias job is queued behind the erasure, so it starts after the erasure withdrew its set.
        var erasure = await server.Erasures.SubmitErasureAsync(new ErasureRequest
        {
            ModelVersionId = parentId,
            RowIds = { erasedRow },
            Layers = { "fc3" },
            SkipRetrain = true,
            Reason = "request 21",
        });
        var queuedDebias = await server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = name, ModelVersionId = parentId, Method = DebiasMethod.DataFree, CounterfactualSetId = approved.Id, Steps = 20 });
        var erased = await JobWatcher.WaitForEndAsync(server.Jobs, erasure.Id);
        var debiasEnded = await JobWatcher.WaitForEndAsync(server.Jobs, queuedDebias.Id);
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = erasure.Id });
        var withdrawn = await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = approved.Id });
        var kept = await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = pending.Id, PageSize = 5 });
        var audit = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"erasure/{certificate.Id}" })).Entries.Single();
        var dataFree = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = name, Method = DebiasMethod.DataFree, CounterfactualSetId = approved.Id, Steps = 20 }).ResponseAsync);
        var fineTune = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = name, Method = DebiasMethod.CounterfactualFineTune, CounterfactualSetId = approved.Id, Steps = 20 }).ResponseAsync);
        var withdrawnList = await server.Counterfactuals.ListCounterfactualSetsAsync(
            new ListCounterfactualSetsRequest { Dataset = name, Status = CounterfactualSetStatus.Withdrawn });

        Assert.Equal(JobState.Succeeded, erased.State);
        var entry = Assert.Single(certificate.WithdrawnCounterfactualSets);
        Assert.Equal(approved.Id, entry.SetId);
        Assert.Equal("APPROVED", entry.PreviousStatus);
        Assert.Equal([erasedRow], entry.RowIds);
        Assert.Equal(approved.ArtifactSha256, entry.ArtifactSha256);
        Assert.Equal(entry.ArtifactDeleted, !File.Exists(ArtifactPath(approved.ArtifactSha256)));
        Assert.Contains(approved.Id, audit.DetailsJson);
        Assert.DoesNotContain(pending.Id, audit.DetailsJson);

        // The withdrawn set returns no rows and names the erasure, and the other set keeps its rows.
        Assert.Equal(CounterfactualSetStatus.Withdrawn, withdrawn.Set.Status);
        Assert.Equal(certificate.Id, withdrawn.Set.WithdrawnByErasureId);
        Assert.NotNull(withdrawn.Set.WithdrawnAt);
        Assert.Empty(withdrawn.Rows);
        Assert.Equal([approved.Id], withdrawnList.Sets.Select(s => s.Id));
        Assert.Equal(CounterfactualSetStatus.Pending, kept.Set.Status);
        Assert.Equal(5, kept.Rows.Count);
        Assert.Equal(certificate.PreviousDatasetVersion, approved.DatasetVersion);

        // A job queued before the erasure fails when it starts, and new requests are refused. Its base version was
        // made before the erasure, which the start checks before the set.
        Assert.Equal(JobState.Failed, debiasEnded.State);
        Assert.Contains("still carries the erased rows", debiasEnded.Error);
        Assert.Equal(StatusCode.FailedPrecondition, dataFree.StatusCode);
        Assert.Equal(["counterfactual_set_id"], RpcAssert.ViolatedFields(dataFree));
        Assert.Equal(StatusCode.FailedPrecondition, fineTune.StatusCode);
        Assert.Equal(["counterfactual_set_id"], RpcAssert.ViolatedFields(fineTune));
        var approveAgain = await RpcAssert.FailsAsync(() =>
            server.ComplianceCounterfactuals.ApproveCounterfactualSetAsync(new ReviewCounterfactualSetRequest { SetId = approved.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, approveAgain.StatusCode);

        // The pending set carries the first dataset version's row ids, which the erasure renumbered. The second
        // erasure names a copied record by its new id, so the set is found by the record's values.
        var copied = pendingRows[0];
        var current = await LoadStoredAsync(await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name }));
        long renumbered = FindRowId(current, kept.Set.Columns, copied);
        var second = await EraseAsync(new ErasureRequest
        {
            ModelVersionId = erased.Result.Erasure.NewVersionId,
            RowIds = { renumbered },
            Layers = { "fc3" },
            SkipRetrain = true,
        });
        var secondCertificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = second.Id });
        var secondWithdrawn = await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = pending.Id });

        var secondEntry = Assert.Single(secondCertificate.WithdrawnCounterfactualSets);
        Assert.Equal(pending.Id, secondEntry.SetId);
        Assert.Equal("PENDING", secondEntry.PreviousStatus);
        Assert.Contains(copied.RowId, secondEntry.RowIds);
        Assert.Equal(CounterfactualSetStatus.Withdrawn, secondWithdrawn.Set.Status);
        Assert.Equal(secondCertificate.Id, secondWithdrawn.Set.WithdrawnByErasureId);
        Assert.Empty(secondWithdrawn.Rows);
    }

    [Fact]
    public async Task Erase_DefaultVersion_DebiasOfOldVersionRejected()
    {
        const string name = "german-credit-default-moved";
        await RegisterGermanAsync(name);
        string parentId = await TrainAsync(name);
        var erasure = await server.Erasures.SubmitErasureAsync(new ErasureRequest { ModelVersionId = parentId, RowIds = { 3 }, Layers = { "fc3" }, SkipRetrain = true });
        // The server runs one job at a time, so this job starts after the erasure has committed.
        var queued = await server.Jobs.SubmitDebiasAsync(Debias(name, parentId));

        var erased = await JobWatcher.WaitForEndAsync(server.Jobs, erasure.Id);
        var queuedEnded = await JobWatcher.WaitForEndAsync(server.Jobs, queued.Id);
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = erasure.Id });
        var after = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name });
        var rejected = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(Debias(name, parentId)).ResponseAsync);
        var byDefault = await server.Jobs.SubmitDebiasAsync(Debias(name, versionId: ""));
        var byDefaultEnded = await JobWatcher.WaitForEndAsync(server.Jobs, byDefault.Id);

        Assert.Equal(JobState.Succeeded, erased.State);
        Assert.Contains(parentId, certificate.VersionsAffected);
        Assert.Equal(certificate.NewVersionId, after.DefaultModelVersionId);

        Assert.Equal(StatusCode.FailedPrecondition, rejected.StatusCode);
        Assert.Equal(["model_version_id"], RpcAssert.ViolatedFields(rejected));
        Assert.Contains($"Version {parentId} was made on version {certificate.PreviousDatasetVersion}", rejected.Status.Detail);
        Assert.Contains($"at version {certificate.NewDatasetVersion}", rejected.Status.Detail);
        Assert.Contains("Debias the version that the erasure made instead", rejected.Status.Detail);

        Assert.Equal(JobState.Failed, queuedEnded.State);
        Assert.Contains("still carries the erased rows", queuedEnded.Error);

        Assert.Equal(certificate.NewVersionId, byDefault.ModelVersionId);
        Assert.True(byDefaultEnded.State == JobState.Succeeded, $"The debias job ended {byDefaultEnded.State}: {byDefaultEnded.Error}");

        static DebiasRequest Debias(string dataset, string versionId) =>
            new() { Dataset = dataset, ModelVersionId = versionId, Method = DebiasMethod.GradientAscent, Layers = { "fc3" } };
    }

    [Fact]
    public async Task Promote_VersionBeforeErasure_FailsNamingErasure()
    {
        const string name = "german-credit-promote-erased";
        await RegisterGermanAsync(name);
        string parentId = await TrainAsync(name);
        var job = await EraseAsync(new ErasureRequest { ModelVersionId = parentId, RowIds = { 7 }, Layers = { "fc3" }, SkipRetrain = true });
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Id });

        var champion = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = parentId, Reason = "release" }).ResponseAsync);
        var candidate = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(
            new PromoteVersionRequest { VersionId = parentId, Alias = "candidate" }).ResponseAsync);
        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = parentId });
        var erasedCandidate = await server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = certificate.NewVersionId, Alias = "candidate" });
        var aliases = await server.Versions.ListAliasesAsync(new ListAliasesRequest { ModelId = erasedCandidate.Alias.ModelId });
        var audit = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"version/{parentId}" });

        Assert.Equal(StatusCode.FailedPrecondition, champion.StatusCode);
        Assert.Equal(["release_gate.erased_rows"], RpcAssert.ViolatedFields(champion));
        Assert.Contains($"erasure {certificate.Id} lists version {parentId}", champion.Status.Detail);
        Assert.Contains($"Promote the erasure's version {certificate.NewVersionId}", champion.Status.Detail);

        Assert.Equal(StatusCode.FailedPrecondition, candidate.StatusCode);
        Assert.Equal(["release_gate.erased_rows"], RpcAssert.ViolatedFields(candidate));
        Assert.Contains($"erasure {certificate.Id}", candidate.Status.Detail);

        // The rejected promotion to champion stores its verdict, in the gate's style, and both rejections are audited.
        Assert.False(lineage.GateVerdict.Passed);
        Assert.Equal("erased_rows", lineage.GateVerdict.Rules[0].Rule);
        Assert.False(lineage.GateVerdict.Rules[0].Passed);
        Assert.Equal(2, audit.Entries.Count(e => e.Action == "version.promote"));
        Assert.DoesNotContain(aliases.Aliases, a => a.VersionId == parentId);
        Assert.Contains(aliases.Aliases, a => a.Alias == "candidate" && a.VersionId == certificate.NewVersionId);
    }

    [Fact]
    public async Task Erase_ImportedVersion_ListedAndBlocked()
    {
        // An imported version is made on the dataset's files as much as a trained one, so an erasure lists both.
        const string name = "german-credit-erase-imported";
        await RegisterGermanAsync(name);
        string trainedId = await TrainAsync(name);
        var (header, weights) = await ModelExports.DownloadAsync(server.ChannelAs("compliance"), trainedId);
        var imported = await ImportAsync(name, header, weights);
        string importedId = imported.Version.Id;

        var job = await EraseAsync(new ErasureRequest { ModelVersionId = importedId, RowIds = { 9 }, Layers = { "fc3" }, SkipRetrain = true });
        var certificate = await server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Id });
        var importedPromotion = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(
            new PromoteVersionRequest { VersionId = importedId, Alias = "candidate" }).ResponseAsync);
        var trainedPromotion = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(
            new PromoteVersionRequest { VersionId = trainedId, Alias = "candidate" }).ResponseAsync);

        Assert.Equal(importedId, certificate.BaseVersionId);
        Assert.Contains(importedId, certificate.VersionsAffected);
        Assert.Contains(trainedId, certificate.VersionsAffected);
        Assert.DoesNotContain(certificate.NewVersionId, certificate.VersionsAffected);

        Assert.Equal(StatusCode.FailedPrecondition, importedPromotion.StatusCode);
        Assert.Equal(["release_gate.erased_rows"], RpcAssert.ViolatedFields(importedPromotion));
        Assert.Contains($"Promote the erasure's version {certificate.NewVersionId}", importedPromotion.Status.Detail);

        // The erasure's version belongs to the imported model, so the trained model cannot promote it.
        Assert.Equal(StatusCode.FailedPrecondition, trainedPromotion.StatusCode);
        Assert.Equal(["release_gate.erased_rows"], RpcAssert.ViolatedFields(trainedPromotion));
        Assert.Contains($"The erasure's version {certificate.NewVersionId} belongs to model {imported.Version.ModelId}", trainedPromotion.Status.Detail);
        Assert.Contains("Train one on the purged dataset", trainedPromotion.Status.Detail);
    }

    [Theory]
    [InlineData("row_ids", "99999999")]
    [InlineData("row_ids", "5")]
    [InlineData("key_column", "no_such_column")]
    [InlineData("key_values", "Atlantis")]
    [InlineData("layers", "fc9")]
    [InlineData("layers", "fc3")]
    [InlineData("newton_steps", "0")]
    public async Task Submit_BadValue_InvalidArgumentNamingIt(string field, string value)
    {
        var request = new ErasureRequest { ModelVersionId = await CurrentAdultVersionAsync(), RowIds = { 5 } };
        switch (field)
        {
            case "row_ids":
                request.RowIds.Add(long.Parse(value));
                break;
            case "key_column":
                request.KeyColumn = value;
                request.KeyValues.Add("x");
                break;
            case "key_values":
                request.KeyColumn = "native-country";
                request.KeyValues.Add(value);
                break;
            case "layers":
                request.Layers.Add(value);
                request.Layers.Add(value == "fc3" ? "fc3" : "fc2");
                break;
            case "newton_steps":
                request.NewtonSteps = int.Parse(value);
                break;
        }

        int jobsBefore = (await server.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count;
        var error = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(request).ResponseAsync);
        int jobsAfter = (await server.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count;

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
        Assert.Contains(value, error.Status.Detail);
        Assert.Equal(jobsBefore, jobsAfter);
    }

    [Fact]
    public async Task Submit_NoRows_InvalidArgument()
    {
        var error = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(new ErasureRequest
        {
            ModelVersionId = "",
        }).ResponseAsync);
        string current = await CurrentAdultVersionAsync();
        var noRows = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(new ErasureRequest { ModelVersionId = current }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["model_version_id"], RpcAssert.ViolatedFields(error));
        Assert.Equal(StatusCode.InvalidArgument, noRows.StatusCode);
        Assert.Equal(["row_ids"], RpcAssert.ViolatedFields(noRows));
    }

    [Fact]
    public async Task GetCertificate_Unknown_NotFound()
    {
        var error = await RpcAssert.FailsAsync(() => server.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = "no-such-erasure" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no-such-erasure", error.Status.Detail);
    }

    private static GenerateCounterfactualSetRequest GermanSetRequest(string dataset, int maxRows, uint seed) => new()
    {
        Dataset = dataset,
        SensitiveValueMap = { ["A201"] = "A202", ["A202"] = "A201" },
        MaxRows = maxRows,
        Seed = seed,
    };

    private async Task<List<CounterfactualRowPair>> AllPairsAsync(string setId)
    {
        var pairs = new List<CounterfactualRowPair>();
        string token = "";
        do
        {
            var page = await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = setId, PageSize = 1000, PageToken = token });
            pairs.AddRange(page.Rows);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return pairs;
    }

    /// <summary>Returns the row id that a dataset version gives the record whose values a set's row pair copied.</summary>
    private static long FindRowId(PreparedDataset data, IReadOnlyList<string> columns, CounterfactualRowPair pair)
    {
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            for (int r = 0; r < split.Count; r++)
            {
                bool same = (split.Labels[r] > 0.5f ? 1 : 0) == pair.Label
                            && columns.Select((column, c) => split.FeatureValues[split.FeatureColumns.ToList().IndexOf(column)][r] == pair.Original[c]).All(x => x);
                if (same)
                    return split.RowIds[r];
            }
        }

        throw new InvalidOperationException($"No record of the dataset copies row {pair.RowId} of the set.");
    }

    [Fact]
    public async Task Erase_OneGroupLeftInValidation_IsRejected()
    {
        const string name = "german-credit-one-group";
        await RegisterGermanAsync(name);
        string versionId = await TrainAsync(name);
        var dataset = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = name });
        var validation = (await LoadStoredAsync(dataset)).Validation;
        string smallest = validation.Groups.CountBy(group => group).MinBy(count => count.Value).Key;
        long[] rows = validation.RowIds.Where((_, i) => validation.Groups[i] == smallest).ToArray();
        int jobsBefore = (await server.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count;

        var error = await RpcAssert.FailsAsync(() => server.Erasures.SubmitErasureAsync(
            new ErasureRequest { ModelVersionId = versionId, RowIds = { rows }, SkipRetrain = true }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["row_ids"], RpcAssert.ViolatedFields(error));
        Assert.StartsWith($"Erasing these rows would leave the validation split of dataset {name} with rows of group '", error.Status.Detail);
        Assert.Contains("Nothing was erased.", error.Status.Detail);
        Assert.Equal(jobsBefore, (await server.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Count);
    }

    private async Task<Job> EraseAsync(ErasureRequest request)
    {
        var submitted = await server.Erasures.SubmitErasureAsync(request);
        var job = await JobWatcher.WaitForEndAsync(server.Jobs, submitted.Id);
        Assert.True(job.State == JobState.Succeeded, $"The erasure job ended {job.State}: {job.Error}");
        Assert.Equal(JobKind.Erase, job.Kind);
        return job;
    }

    private async Task<string> TrainAsync(string dataset)
    {
        var submitted = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = dataset, Name = $"{dataset}-{Guid.NewGuid():N}", Settings = new ModelSettings { Epochs = 2 } });
        var job = await JobWatcher.WaitForEndAsync(server.Jobs, submitted.Id);
        Assert.True(job.State == JobState.Succeeded, $"The training job ended {job.State}: {job.Error}");
        return job.Result.Train.VersionId;
    }

    /// <summary>Returns a version made on adult's current training file, training one when the erasure test has purged it.</summary>
    private async Task<string> CurrentAdultVersionAsync()
    {
        var adult = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult" });
        foreach (var version in (await server.Models.ListVersionsAsync(new ListVersionsRequest())).Versions)
        {
            var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = version.Id });
            if (lineage.DatasetId == adult.Id && lineage.DatasetTrainSha256 == adult.TrainSha256)
                return version.Id;
        }

        return await TrainAsync("adult");
    }

    private ComparisonService.ComparisonServiceClient Comparisons => new(server.Channel);

    private async Task<ImportModelResponse> ImportAsync(string dataset, ExportModelHeader exported, byte[] weights)
    {
        using var call = new InteropService.InteropServiceClient(server.Channel).ImportModel();
        var header = new ImportModelHeader { Dataset = dataset, Name = $"{dataset}-imported", SpecJson = exported.SpecJson, FileName = exported.FileName };
        return await ClientStreams.SendAsync(call,
            [new ImportModelChunk { Header = header }, new ImportModelChunk { Data = Google.Protobuf.ByteString.CopyFrom(weights) }]);
    }

    private async Task RegisterGermanAsync(string name) =>
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker(name),
            TrainPath = "german-credit.csv",
        });

    /// <summary>Loads the dataset's stored files with the engine, as the server loads them, to see its splits.</summary>
    private async Task<PreparedDataset> LoadStoredAsync(Dataset dataset)
    {
        byte[] train = await File.ReadAllBytesAsync(ArtifactPath(dataset.TrainSha256));
        byte[]? test = dataset.TestSha256.Length == 0 ? null : await File.ReadAllBytesAsync(ArtifactPath(dataset.TestSha256));
        using var trainStream = new MemoryStream(train);
        using var testStream = test is null ? null : new MemoryStream(test);
        return DatasetLoader.Load(dataset.Spec.ToDefinition(), trainStream, "train", testStream, test is null ? null : "test");
    }

    /// <summary>Returns the SHA-256 of each record of a stored CSV file with a header, as the certificate hashes records.</summary>
    private IEnumerable<string> StoredRecordHashes(string sha256) =>
        File.ReadAllLines(ArtifactPath(sha256)).Skip(1).Where(line => line.Trim().Length > 0).Select(Sha256OfRecord);

    /// <summary>Hashes each row of a split by its feature values, label and group, so rows compare across files whatever their ids.</summary>
    private static List<string> RowHashes(TabularSplit split) =>
        Enumerable.Range(0, split.Count)
            .Select(i => string.Join(',', split.FeatureValues.Select(column => column[i])) + $"|{split.Labels[i]}|{split.Groups[i]}")
            .Select(row => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(row))))
            .ToList();

    private static string Sha256OfFile(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private string ArtifactPath(string sha256) => Path.Combine(server.ArtifactDirectory, sha256[..2], sha256);

    private static string Sha256OfRecord(string line) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', line.Split(',').Select(v => v.Trim())))));
}

public sealed class ErasureServiceSqliteTests(JobServerFixture server) : ErasureServiceTests(server), IClassFixture<JobServerFixture>;

public sealed class ErasureServicePostgresTests(PostgresJobServerFixture server) : ErasureServiceTests(server), IClassFixture<PostgresJobServerFixture>;
