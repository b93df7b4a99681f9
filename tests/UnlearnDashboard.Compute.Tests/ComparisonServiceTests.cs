using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class ComparisonServiceTests(JobServerFixture server)
{
    private ComparisonService.ComparisonServiceClient Comparisons => new(server.Channel);

    [Fact]
    public async Task CompareVersions_DebiasedChild_MatchesStoredReports()
    {
        var child = await DebiasAdultAsync();
        var parent = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = child.ParentVersionId });

        var comparison = await Comparisons.CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = parent.Id,
            CandidateVersionId = child.Id,
            BootstrapResamples = 200,
        });

        Assert.Equal(parent.TestReport, comparison.BaselineReport);
        Assert.Equal(child.TestReport, comparison.CandidateReport);
        Assert.Equal(child.Id, comparison.Candidate.Id);
        Assert.Equal("test", comparison.Split);
        var dp = comparison.Metrics.Single(m => m.Metric == "demographic_parity_difference" && m.Group == "");
        Assert.Equal(child.TestReport.DemographicParityDifference - parent.TestReport.DemographicParityDifference, dp.Delta, 12);
        Assert.InRange(dp.Delta, dp.DeltaLower, dp.DeltaUpper);
        Assert.Equal(child.RemovedSampleCount, comparison.Removed.Count);
        Assert.Equal(child.RemovedSampleCount, comparison.Removed.Cells.Sum(c => c.Removed));
        Assert.Equal(0, comparison.Removed.UnmatchedCount);
        Assert.Equal(parent.Layers.Select(l => l.Name), comparison.Layers.Select(l => l.Layer));
        Assert.Equal(200, comparison.BootstrapResamples);
        foreach (var flips in comparison.Flips)
        {
            var before = parent.TestReport.Groups.Single(g => g.Group == flips.Group);
            var after = child.TestReport.Groups.Single(g => g.Group == flips.Group);
            Assert.Equal(after.TruePositives + after.FalsePositives,
                before.TruePositives + before.FalsePositives + flips.NowFavourable - flips.NowUnfavourable);
        }
    }

    [Fact]
    public async Task CompareVersions_Repeated_LeavesNoLiveTensors()
    {
        var child = await DebiasAdultAsync();
        var request = new CompareVersionsRequest { BaselineVersionId = child.ParentVersionId, CandidateVersionId = child.Id, BootstrapResamples = 10 };
        var diagnostics = new DiagnosticsService.DiagnosticsServiceClient(server.Channel);

        // The first comparison may fill caches; the second must leave as many tensors as it found.
        await Comparisons.CompareVersionsAsync(request);
        var before = await diagnostics.GetServerStatsAsync(new GetServerStatsRequest());
        await Comparisons.CompareVersionsAsync(request);
        var after = await diagnostics.GetServerStatsAsync(new GetServerStatsRequest());

        Assert.True(after.LiveTensors <= before.LiveTensors, $"live tensors {before.LiveTensors} -> {after.LiveTensors}");
        Assert.True(after.ResidentBytes > 0);
        Assert.True(after.PeakResidentBytes >= after.ResidentBytes);
    }

    [Fact]
    public async Task CompareVersions_ChildAsBaseline_CountsRestoredRows()
    {
        var child = await DebiasAdultAsync();

        var comparison = await Comparisons.CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = child.Id,
            CandidateVersionId = child.ParentVersionId,
            BootstrapResamples = 10,
        });

        Assert.Equal(0, comparison.Removed.Count);
        Assert.Equal(child.RemovedSampleCount, comparison.Removed.RestoredCount);
    }

    [Theory]
    [InlineData("baseline_version_id")]
    [InlineData("candidate_version_id")]
    public async Task CompareVersions_UnknownVersion_NotFoundNamingField(string field)
    {
        string known = server.Adult.DefaultModelVersionId;
        var request = field == "baseline_version_id"
            ? new CompareVersionsRequest { BaselineVersionId = "no-such-version", CandidateVersionId = known }
            : new CompareVersionsRequest { BaselineVersionId = known, CandidateVersionId = "no-such-version" };

        var error = await RpcAssert.FailsAsync(() => Comparisons.CompareVersionsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains(field, error.Status.Detail);
        Assert.Contains("no-such-version", error.Status.Detail);
    }

    [Theory]
    [InlineData("flipped_examples", 101, "101")]
    [InlineData("bootstrap_resamples", 5, "5")]
    [InlineData("split", 0, "holdout")]
    public async Task CompareVersions_OptionOutOfRange_InvalidArgumentNamingField(string field, int value, string shown)
    {
        string version = server.Adult.DefaultModelVersionId;
        var request = new CompareVersionsRequest { BaselineVersionId = version, CandidateVersionId = version };
        switch (field)
        {
            case "flipped_examples": request.FlippedExamples = value; break;
            case "bootstrap_resamples": request.BootstrapResamples = value; break;
            default: request.Split = shown; break;
        }

        var error = await RpcAssert.FailsAsync(() => Comparisons.CompareVersionsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
        Assert.Contains(shown, error.Status.Detail);
    }

    private async Task<ModelVersion> DebiasAdultAsync()
    {
        var job = await server.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "adult",
            SensitiveAttribute = "sex",
            Method = DebiasMethod.InfluenceNewton,
            RemoveFraction = 0.02,
        });
        var ended = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);
        Assert.True(ended.State == JobState.Succeeded, $"The debias job ended {ended.State}: {ended.Error}");
        return await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = ended.Result.Debias.NewVersionId });
    }
}

public sealed class ComparisonServiceSqliteTests(JobServerFixture server) : ComparisonServiceTests(server), IClassFixture<JobServerFixture>;

public sealed class ComparisonServicePostgresTests(PostgresJobServerFixture server) : ComparisonServiceTests(server), IClassFixture<PostgresJobServerFixture>;
