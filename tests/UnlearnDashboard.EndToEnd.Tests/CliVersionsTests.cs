using Google.Protobuf;
using UnlearnDashboard.Cli;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn versions lineage|promote|gate</c> against a real Compute process, on the demo German Credit model.</summary>
[Collection(ComputeCollection.Name)]
public sealed class CliVersionsTests(ComputeFixture compute)
{
    [Fact]
    public async Task PromoteAndGate_ThroughCli_MatchGrpc()
    {
        using var channel = compute.Server.CreateChannel();
        var dataset = await new DatasetService.DatasetServiceClient(channel).GetDatasetAsync(new GetDatasetRequest { Dataset = "german-credit" });
        string versionId = dataset.DefaultModelVersionId;
        var version = await new ModelService.ModelServiceClient(channel).GetVersionAsync(new GetVersionRequest { VersionId = versionId });
        string strictRatio = "1";

        var strict = await RunCliAsync("versions", "gate", "set", version.ModelId, "--min-impact-ratio", strictRatio, "--server", compute.Server.Url);
        var rejected = await RunCliAsync("versions", "promote", versionId, "--server", compute.Server.Url);
        var loose = await RunCliAsync("versions", "gate", "set", version.ModelId, "--max-accuracy-drop", "0.5", "--server", compute.Server.Url);
        var promoted = await RunCliAsync("versions", "promote", versionId, "--reason", "cli test", "--server", compute.Server.Url);
        var shown = await RunCliAsync("versions", "gate", "show", version.ModelId, "--server", compute.Server.Url);
        var listed = await RunCliAsync("versions", "list", "--model", version.ModelId, "--server", compute.Server.Url);
        var lineage = await RunCliAsync("versions", "lineage", versionId, "--json", "-", "--server", compute.Server.Url);

        Assert.True(strict.ExitCode == 0, strict.Error);
        Assert.True(version.TestReport.DisparateImpactRatio < 1, $"ratio {version.TestReport.DisparateImpactRatio}");
        Assert.Equal(ExitCodes.UsageError, rejected.ExitCode);
        Assert.Contains("FAILED_PRECONDITION", rejected.Error);
        Assert.Contains("min_disparate_impact_ratio", rejected.Error);
        Assert.True(loose.ExitCode == 0, loose.Error);
        Assert.True(promoted.ExitCode == 0, promoted.Error);
        Assert.Contains($"champion of model {version.ModelId}: {versionId}", promoted.Output);
        Assert.Contains("release gate: passed", promoted.Output);
        Assert.Contains("min disparate impact ratio: not checked", shown.Output);
        Assert.Contains("max accuracy drop:          0.5000", shown.Output);
        Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith(versionId, StringComparison.Ordinal) && line.Contains("champion"));
        var fromCli = JsonParser.Default.Parse<VersionLineage>(lineage.Output);
        var fromGrpc = await new VersionService.VersionServiceClient(channel).GetLineageAsync(new GetLineageRequest { VersionId = versionId });
        Assert.Equal(fromGrpc, fromCli);
        Assert.Equal(["champion"], fromCli.Aliases);
        Assert.Equal(dataset.TrainSha256, fromCli.DatasetTrainSha256);
    }

    [Fact]
    public async Task List_Json_CarriesStoredIntervals()
    {
        using var channel = compute.Server.CreateChannel();
        var dataset = await new DatasetService.DatasetServiceClient(channel).GetDatasetAsync(new GetDatasetRequest { Dataset = "german-credit" });
        var models = new ModelService.ModelServiceClient(channel);
        var version = await models.GetVersionAsync(new GetVersionRequest { VersionId = dataset.DefaultModelVersionId });

        var listed = await RunCliAsync("versions", "list", "--model", version.ModelId, "--json", "-", "--server", compute.Server.Url);

        Assert.True(listed.ExitCode == 0, listed.Error);
        var fromCli = JsonParser.Default.Parse<ListVersionsResponse>(listed.Output);
        var fromGrpc = await models.ListVersionsAsync(new ListVersionsRequest { ModelId = version.ModelId });
        Assert.Equal(fromGrpc, fromCli);
        var intervals = fromCli.Versions.Single(v => v.Id == version.Id).TestReport.Intervals;
        Assert.Equal(1000, intervals.Resamples);
        var accuracy = intervals.Metrics.Single(m => m.Metric == "accuracy");
        Assert.InRange(version.TestReport.Accuracy, accuracy.Lower, accuracy.Upper);
    }

    /// <summary>Runs the CLI as the compliance user, who may set release gates and promote versions.</summary>
    private Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args) =>
        CliRun.RunWithKeyAsync(compute.Server.ApiKey("compliance"), args);
}
