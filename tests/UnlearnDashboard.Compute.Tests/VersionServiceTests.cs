using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class VersionServiceTests(JobServerFixture server)
{
    [Fact]
    public async Task Lineage_TrainedVersion_RecordsDatasetAndBuild()
    {
        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = server.Adult.DefaultModelVersionId });

        Assert.Equal(server.BaseTraining.Id, lineage.JobId);
        Assert.Equal(VersionLineage.RequestOneofCase.TrainRequest, lineage.RequestCase);
        Assert.Equal(2, lineage.TrainRequest.Settings.Epochs);
        Assert.Equal(2, lineage.ModelSettings.Epochs);
        Assert.Equal(0u, lineage.Seed);
        Assert.Equal(server.Adult.Id, lineage.DatasetId);
        Assert.Equal(server.Adult.TrainSha256, lineage.DatasetTrainSha256);
        Assert.Equal(server.Adult.TestSha256, lineage.DatasetTestSha256);
        Assert.Equal(1, lineage.DatasetVersion);
        Assert.Empty(lineage.RemovedRowIds);
        Assert.Equal("", lineage.ParentVersionId);
        Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+", lineage.ProductVersion);
        Assert.Matches("^[0-9a-f]{40}$", lineage.SourceRevision);
        Assert.True(lineage.TestReport.HasAccuracy);
    }

    [Fact]
    public async Task Lineage_DebiasedVersion_RecordsRequestAndRemovedRows()
    {
        var (job, child) = await DebiasAsync();

        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = child.Id });
        var submitted = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"job/{job.Id}", Action = "job.submit" })).Entries.Single();

        Assert.Equal(server.Adult.DefaultModelVersionId, lineage.ParentVersionId);
        Assert.Equal(job.Id, lineage.JobId);
        Assert.Equal(VersionLineage.RequestOneofCase.DebiasRequest, lineage.RequestCase);
        Assert.Equal(0.02, lineage.DebiasRequest.RemoveFraction);
        Assert.Equal(7u, lineage.Seed);
        Assert.Equal(job.Result.Debias.RemovedRowIds, lineage.RemovedRowIds);
        Assert.Equal(server.Adult.TrainSha256, lineage.DatasetTrainSha256);
        Assert.Equal("", lineage.CounterfactualSetId);
        Assert.Equal(child.TestReport, lineage.TestReport);
        using var details = JsonDocument.Parse(submitted.DetailsJson);
        Assert.Equal(details.RootElement.GetProperty("request_sha256").GetString(), lineage.RequestSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(job.DebiasRequest.ToByteArray())), lineage.RequestSha256);
    }

    [Fact]
    public async Task Promote_GateAndRollback_RecordsVerdicts()
    {
        var (_, child) = await DebiasAsync();
        string baseId = server.Adult.DefaultModelVersionId;
        var baseVersion = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = baseId });
        string modelId = baseVersion.ModelId;

        // The default gate requires a disparate impact ratio of 0.8, which the biased base model misses.
        var defaultGate = await server.Versions.GetReleaseGateAsync(new GetReleaseGateRequest { ModelId = modelId });
        var rejected = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = baseId }).ResponseAsync);
        var rejectedLineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = baseId });

        Assert.True(defaultGate.IsDefault);
        Assert.Equal(0.8, defaultGate.MinDisparateImpactRatio);
        Assert.Equal(0.01, defaultGate.MaxAccuracyDrop);
        Assert.True(baseVersion.TestReport.DisparateImpactRatio < 0.8, $"base ratio {baseVersion.TestReport.DisparateImpactRatio}");
        Assert.Equal(StatusCode.FailedPrecondition, rejected.StatusCode);
        Assert.Contains("min_disparate_impact_ratio", rejected.Status.Detail);
        Assert.Equal(["release_gate.min_disparate_impact_ratio"], RpcAssert.ViolatedFields(rejected));
        Assert.False(rejectedLineage.GateVerdict.Passed);
        Assert.Equal("lineage root", rejectedLineage.GateVerdict.ReferenceKind);
        Assert.Empty(rejectedLineage.Aliases);

        // A gate on accuracy alone: the base passes against itself, then the child against the base.
        var gate = await server.Versions.SetReleaseGateAsync(new SetReleaseGateRequest { ModelId = modelId, MaxAccuracyDrop = 0.05 });
        var first = await server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = baseId, Reason = "first release" });
        var second = await server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = child.Id });
        var rollback = await server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = baseId });
        var candidate = await server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = child.Id, Alias = "candidate" });
        var versions = await server.Models.ListVersionsAsync(new ListVersionsRequest { ModelId = modelId });
        var aliases = await server.Versions.ListAliasesAsync(new ListAliasesRequest { ModelId = modelId });
        var promotions = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "version.promote" })).Entries
            .Where(e => e.Subject == $"version/{baseId}" || e.Subject == $"version/{child.Id}")
            .ToList();

        Assert.False(gate.IsDefault);
        Assert.False(gate.HasMinDisparateImpactRatio);
        Assert.True(first.Verdict.Passed);
        Assert.Equal("", first.PreviousVersionId);
        Assert.Equal(child.Id, second.Alias.VersionId);
        Assert.Equal(baseId, second.PreviousVersionId);
        Assert.Equal(baseId, second.Verdict.ReferenceVersionId);
        Assert.Equal("champion", second.Verdict.ReferenceKind);
        Assert.Equal(baseVersion.TestReport.Accuracy - child.TestReport.Accuracy, second.Verdict.Rules.Single().Value, 12);
        Assert.Equal(baseId, rollback.Alias.VersionId);
        Assert.Equal(child.Id, rollback.PreviousVersionId);
        Assert.Null(candidate.Verdict);
        Assert.Equal(["champion"], versions.Versions.Single(v => v.Id == baseId).Aliases);
        Assert.Equal(["candidate"], versions.Versions.Single(v => v.Id == child.Id).Aliases);
        Assert.Equal([("candidate", child.Id), ("champion", baseId)], aliases.Aliases.Select(a => (a.Alias, a.VersionId)));
        Assert.Equal(5, promotions.Count);
        Assert.Contains("\"promoted\":false", promotions[0].DetailsJson);
        Assert.Contains("\"failed_rules\":\"min_disparate_impact_ratio\"", promotions[0].DetailsJson);
        Assert.Contains("\"reason\":\"first release\"", promotions[1].DetailsJson);
        Assert.All(promotions.Skip(1), p => Assert.Contains("\"promoted\":true", p.DetailsJson));
    }

    [Fact]
    public async Task Promote_AccuracyDropAboveGate_Rejected()
    {
        string baseId = await TrainAsync("adult", "adult-accuracy-gate");
        var (_, child) = await DebiasAsync(baseId);
        var baseVersion = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = baseId });
        var (better, worse) = baseVersion.TestReport.Accuracy >= child.TestReport.Accuracy ? (baseVersion, child) : (child, baseVersion);
        await server.Versions.SetReleaseGateAsync(new SetReleaseGateRequest { ModelId = baseVersion.ModelId, MaxAccuracyDrop = 0 });

        var promoted = await server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = better.Id });
        var error = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = worse.Id }).ResponseAsync);
        var worseLineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = worse.Id });
        var aliases = await server.Versions.ListAliasesAsync(new ListAliasesRequest { ModelId = baseVersion.ModelId });

        Assert.NotEqual(better.TestReport.Accuracy, worse.TestReport.Accuracy);
        Assert.True(promoted.Verdict.Passed);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["release_gate.max_accuracy_drop"], RpcAssert.ViolatedFields(error));
        Assert.False(worseLineage.GateVerdict.Passed);
        Assert.Equal(better.Id, worseLineage.GateVerdict.ReferenceVersionId);
        Assert.Equal(better.TestReport.Accuracy - worse.TestReport.Accuracy, worseLineage.GateVerdict.Rules.Single().Value, 12);
        Assert.Equal([("champion", better.Id)], aliases.Aliases.Select(a => (a.Alias, a.VersionId)));
    }

    [Fact]
    public async Task Promote_Concurrently_EachReplacesTheOneBefore()
    {
        string baseId = await TrainAsync("adult", "adult-concurrent-promotions");
        var (_, child) = await DebiasAsync(baseId);
        string modelId = child.ModelId;
        await server.Versions.SetReleaseGateAsync(new SetReleaseGateRequest { ModelId = modelId, MaxAccuracyDrop = 1 });
        string[] order = [baseId, child.Id, baseId, child.Id, child.Id, baseId, child.Id, baseId];

        var responses = await Task.WhenAll(order.Select(id =>
            server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = id }).ResponseAsync));
        var promotions = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "version.promote" })).Entries
            .Select(e => (Subject: e.Subject, Details: JsonDocument.Parse(e.DetailsJson).RootElement))
            .Where(e => e.Details.GetProperty("model_id").GetString() == modelId)
            .ToList();
        var aliases = await server.Versions.ListAliasesAsync(new ListAliasesRequest { ModelId = modelId });

        // In the audit trail's order, each promotion names as previous champion the version the one before promoted.
        Assert.All(responses, r => Assert.True(r.Verdict.Passed));
        Assert.Equal(order.Length, promotions.Count);
        Assert.Equal("", promotions[0].Details.GetProperty("previous_version_id").GetString());
        for (int i = 1; i < promotions.Count; i++)
            Assert.Equal(promotions[i - 1].Subject, "version/" + promotions[i].Details.GetProperty("previous_version_id").GetString());
        Assert.Equal([("champion", promotions[^1].Subject["version/".Length..])], aliases.Aliases.Select(a => (a.Alias, a.VersionId)));
    }

    [Fact]
    public async Task Promote_LongReasonOrAlias_InvalidArgumentWithoutEcho()
    {
        var longReason = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest
        {
            VersionId = server.Adult.DefaultModelVersionId,
            Alias = "candidate",
            Reason = new string('r', 2001),
        }).ResponseAsync);
        var longAlias = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest
        {
            VersionId = server.Adult.DefaultModelVersionId,
            Alias = new string('a', 10_000),
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, longReason.StatusCode);
        Assert.Equal(["reason"], RpcAssert.ViolatedFields(longReason));
        Assert.Contains("2001 characters", longReason.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, longAlias.StatusCode);
        Assert.True(longAlias.Status.Detail.Length < 200, $"the message has {longAlias.Status.Detail.Length} characters");
    }

    [Fact]
    public async Task SetReleaseGate_OutOfRange_InvalidArgument()
    {
        string modelId = (await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = server.Adult.DefaultModelVersionId })).ModelId;

        var error = await RpcAssert.FailsAsync(() => server.Versions.SetReleaseGateAsync(new SetReleaseGateRequest
        {
            ModelId = modelId,
            MinDisparateImpactRatio = 1.5,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["min_disparate_impact_ratio"], RpcAssert.ViolatedFields(error));
        Assert.Contains("1.5", error.Status.Detail);
    }

    [Fact]
    public async Task Promote_UnknownAliasOrVersion_Rejected()
    {
        var badAlias = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest
        {
            VersionId = server.Adult.DefaultModelVersionId,
            Alias = "production",
        }).ResponseAsync);
        var unknown = await RpcAssert.FailsAsync(() => server.Versions.PromoteVersionAsync(new PromoteVersionRequest { VersionId = "no-such-version" }).ResponseAsync);
        var unknownModel = await RpcAssert.FailsAsync(() => server.Versions.GetReleaseGateAsync(new GetReleaseGateRequest { ModelId = "no-such-model" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, badAlias.StatusCode);
        Assert.Contains("production", badAlias.Status.Detail);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no-such-version", unknown.Status.Detail);
        Assert.Equal(StatusCode.NotFound, unknownModel.StatusCode);
    }

    private async Task<(Job Job, ModelVersion Child)> DebiasAsync(string baseVersionId = "")
    {
        var submitted = await server.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "adult",
            ModelVersionId = baseVersionId,
            // Gradient ascent draws mini-batches, so it reads the seed that the lineage must record.
            Method = DebiasMethod.GradientAscent,
            RemoveFraction = 0.02,
            Steps = 20,
            Seed = 7,
            Evidence = new EvidenceRequest { Retrain = false, Reweighing = false, GroupThresholds = false, RandomControl = false, SeedBand = false, MembershipInference = false },
        });
        var job = await JobWatcher.WaitForEndAsync(server.Jobs, submitted.Id);
        Assert.True(job.State == JobState.Succeeded, $"The debias job ended {job.State}: {job.Error}");
        var child = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = job.Result.Debias.NewVersionId });
        return (job, child);
    }

    private async Task<string> TrainAsync(string dataset, string name)
    {
        var submitted = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = dataset, Name = name, Settings = new ModelSettings { Epochs = 2 } });
        var job = await JobWatcher.WaitForEndAsync(server.Jobs, submitted.Id);
        Assert.True(job.State == JobState.Succeeded, $"The training job ended {job.State}: {job.Error}");
        return job.Result.Train.VersionId;
    }
}

public sealed class VersionServiceSqliteTests(JobServerFixture server) : VersionServiceTests(server), IClassFixture<JobServerFixture>;

public sealed class VersionServicePostgresTests(PostgresJobServerFixture server) : VersionServiceTests(server), IClassFixture<PostgresJobServerFixture>;
