using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract partial class JobServiceTests
{
    [Fact]
    public async Task GetVersion_TrainedAdult_StoresGapIntervals()
    {
        var trained = server.BaseTraining.Result.Train;

        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = trained.VersionId });

        var report = version.TestReport;
        var intervals = report.Intervals;
        Assert.Equal(1000, intervals.Resamples);
        Assert.Equal(0u, intervals.Seed);
        Assert.Equal(0.95, intervals.Level);
        Assert.Equal(
            ["accuracy", "demographic_parity_difference", "equal_opportunity_difference", "false_positive_rate_difference", "equalized_odds_difference", "disparate_impact_ratio"],
            intervals.Metrics.Select(m => m.Metric));
        foreach (var (metric, estimate) in new[]
                 {
                     ("demographic_parity_difference", report.DemographicParityDifference),
                     ("equalized_odds_difference", report.EqualizedOddsDifference),
                     ("disparate_impact_ratio", report.DisparateImpactRatio),
                 })
        {
            var interval = intervals.Metrics.Single(m => m.Metric == metric);
            output.WriteLine($"{metric}: {estimate:F4} [{interval.Lower:F4}, {interval.Upper:F4}]");

            Assert.True(interval.HasLower, $"{metric} has no lower bound: {interval.UndefinedReason}");
            Assert.True(interval.HasUpper, $"{metric} has no upper bound: {interval.UndefinedReason}");
            Assert.InRange(estimate, interval.Lower, interval.Upper);
            // With 15,060 test rows, a 95% interval of a gap between the sexes spans a few points.
            Assert.InRange(interval.Upper - interval.Lower, 0.002, 0.15);
            Assert.Equal(1000, interval.DefinedResamples);
            Assert.Equal("", interval.UndefinedReason);
        }
    }

    [Fact]
    public async Task GetLineage_TrainedAdult_HasStoredIntervals()
    {
        var trained = server.BaseTraining.Result.Train;

        var lineage = await server.Versions.GetLineageAsync(new GetLineageRequest { VersionId = trained.VersionId });

        Assert.Equal(trained.TestReport.Intervals, lineage.TestReport.Intervals);
        Assert.NotEmpty(lineage.TestReport.Intervals.Metrics);
    }
}
