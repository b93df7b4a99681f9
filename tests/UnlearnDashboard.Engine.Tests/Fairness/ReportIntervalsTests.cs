using System.Diagnostics;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Tests.Pipeline;
using Xunit.Abstractions;

namespace UnlearnDashboard.Engine.Tests.Fairness;

public sealed class ReportIntervalsTests(AdultModelFixture fixture, ITestOutputHelper output) : IClassFixture<AdultModelFixture>
{
    private static readonly BootstrapOptions Options = new() { Resamples = 1000, Seed = 0 };

    private static readonly string[] ReportMetrics =
    [
        "accuracy", "demographic_parity_difference", "equal_opportunity_difference",
        "false_positive_rate_difference", "equalized_odds_difference", "disparate_impact_ratio",
    ];

    [Fact]
    public void EvaluateReportIntervals_Adult_ContainEstimates()
    {
        var report = FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "test");

        var watch = Stopwatch.StartNew();
        var intervals = FairnessEvaluator.EvaluateReportIntervals(fixture.Model, fixture.Data, "test", Options);
        watch.Stop();

        output.WriteLine($"1,000 resamples of {report.Count} Adult test rows: {watch.Elapsed.TotalSeconds:F3} s");
        Assert.Equal(ReportMetrics, intervals.Select(i => i.Metric));
        Assert.All(intervals, i => Assert.Null(i.Group));
        foreach (var interval in intervals)
        {
            double estimate = interval.Estimate!.Value;
            double lower = interval.Lower!.Value;
            double upper = interval.Upper!.Value;
            output.WriteLine($"{interval.Metric}: {estimate:F4} [{lower:F4}, {upper:F4}]");

            Assert.Equal(ValueOf(report, interval.Metric), estimate);
            Assert.InRange(estimate, lower, upper);
            // About 15,000 rows, of which a third are women: a 95% interval of a rate gap spans a few points.
            Assert.InRange(upper - lower, 0.002, 0.15);
            Assert.Equal(1000, interval.DefinedResamples);
            Assert.Null(interval.UndefinedReason);
        }
    }

    [Fact]
    public void EvaluateReportIntervals_GermanCredit_WiderThanAdult()
    {
        var german = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(german, new ModelSettings { Epochs = 5 }, null, null, CancellationToken.None);

        var small = FairnessEvaluator.EvaluateReportIntervals(model, german, "test", Options);
        var large = FairnessEvaluator.EvaluateReportIntervals(fixture.Model, fixture.Data, "test", Options);

        // German Credit's test split has 200 rows (20% of 1,000) against Adult's 15,060, so its accuracy interval is wider.
        var smallAccuracy = small.Single(i => i.Metric == "accuracy");
        var largeAccuracy = large.Single(i => i.Metric == "accuracy");
        Assert.InRange(smallAccuracy.Estimate!.Value, smallAccuracy.Lower!.Value, smallAccuracy.Upper!.Value);
        Assert.True(smallAccuracy.Upper - smallAccuracy.Lower > 2 * (largeAccuracy.Upper - largeAccuracy.Lower),
            $"German Credit [{smallAccuracy.Lower}, {smallAccuracy.Upper}], Adult [{largeAccuracy.Lower}, {largeAccuracy.Upper}]");
    }

    [Fact]
    public void EvaluateReportIntervals_SameSeed_IsReproducible()
    {
        var first = FairnessEvaluator.EvaluateReportIntervals(fixture.Model, fixture.Data, "test", Options);

        var second = FairnessEvaluator.EvaluateReportIntervals(fixture.Model, fixture.Data, "test", Options);

        Assert.Equal(first, second);
    }

    private static double? ValueOf(FairnessReport report, string metric) => metric switch
    {
        "accuracy" => report.Accuracy,
        "demographic_parity_difference" => report.DemographicParityDifference,
        "equal_opportunity_difference" => report.EqualOpportunityDifference,
        "false_positive_rate_difference" => report.FalsePositiveRateDifference,
        "equalized_odds_difference" => report.EqualizedOddsDifference,
        "disparate_impact_ratio" => report.DisparateImpactRatio,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "not a report-level metric"),
    };
}
