using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Tests.Fairness;

public sealed class FairnessBootstrapTests
{
    private static (bool[] Labels, bool[] Predictions, string[] Groups) Rows()
    {
        var random = new Random(11);
        int n = 400;
        string[] groups = Enumerable.Range(0, n).Select(i => i % 4 == 0 ? "Female" : "Male").ToArray();
        bool[] labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3).ToArray();
        bool[] predictions = Enumerable.Range(0, n)
            .Select(i => random.NextDouble() < (labels[i] ? 0.7 : 0.1) + (groups[i] == "Male" ? 0.1 : 0))
            .ToArray();
        return (labels, predictions, groups);
    }

    [Fact]
    public void Compute_EveryInterval_ContainsEstimate()
    {
        var (labels, predictions, groups) = Rows();

        var intervals = FairnessBootstrap.Compute("Male", labels, predictions, groups, new BootstrapOptions { Seed = 1 });

        Assert.Contains(intervals, i => i.Metric == "demographic_parity_difference" && i.Group is null);
        Assert.Contains(intervals, i => i.Metric == "true_positive_rate" && i.Group == "Female");
        foreach (var interval in intervals)
        {
            Assert.NotNull(interval.Lower);
            Assert.True(interval.Lower <= interval.Estimate, $"{interval.Metric} {interval.Group}: {interval.Estimate} below {interval.Lower}");
            Assert.True(interval.Estimate <= interval.Upper, $"{interval.Metric} {interval.Group}: {interval.Estimate} above {interval.Upper}");
            Assert.Equal(1000, interval.DefinedResamples);
        }
    }

    [Fact]
    public void Compute_SameSeed_IsReproducible()
    {
        var (labels, predictions, groups) = Rows();

        var first = FairnessBootstrap.Compute("Male", labels, predictions, groups, new BootstrapOptions { Seed = 7 });
        var second = FairnessBootstrap.Compute("Male", labels, predictions, groups, new BootstrapOptions { Seed = 7 });
        var otherSeed = FairnessBootstrap.Compute("Male", labels, predictions, groups, new BootstrapOptions { Seed = 8 });

        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(i => i.Lower), otherSeed.Select(i => i.Lower));
    }

    [Fact]
    public void Compute_UndefinedEstimate_StaysUndefined()
    {
        // Female has no positive labels, so its TPR and every gap that uses it are undefined.
        bool[] labels = [true, false, true, false, false, false];
        bool[] predictions = [true, false, false, true, true, false];
        string[] groups = ["Male", "Male", "Male", "Female", "Female", "Female"];

        var intervals = FairnessBootstrap.Compute("Male", labels, predictions, groups, new BootstrapOptions { Resamples = 200 });

        var femaleTpr = intervals.Single(i => i.Metric == "true_positive_rate" && i.Group == "Female");
        Assert.Null(femaleTpr.Estimate);
        Assert.Null(femaleTpr.Lower);
        Assert.Null(femaleTpr.Upper);
        Assert.Contains("no positive labels in group Female", femaleTpr.UndefinedReason);
        var equalOpportunity = intervals.Single(i => i.Metric == "equal_opportunity_difference");
        Assert.Null(equalOpportunity.Lower);
        var parity = intervals.Single(i => i.Metric == "demographic_parity_difference");
        Assert.NotNull(parity.Lower);
    }

    [Fact]
    public void Percentile_InterpolatesBetweenOrderStatistics()
    {
        double[] sorted = [0, 1, 2, 3, 4];

        Assert.Equal(0.1, FairnessBootstrap.Percentile(sorted, 0.025), 1e-12);
        Assert.Equal(2, FairnessBootstrap.Percentile(sorted, 0.5), 1e-12);
        Assert.Equal(3.9, FairnessBootstrap.Percentile(sorted, 0.975), 1e-12);
    }
}
