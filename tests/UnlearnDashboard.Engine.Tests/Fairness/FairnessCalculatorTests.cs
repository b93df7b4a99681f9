using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Tests.Fairness;

public sealed class FairnessCalculatorTests
{
    private const double Tolerance = 1e-12;

    /// <summary>Reads a case file with columns id, sex, y_true, y_pred.</summary>
    private static FairnessReport ComputeFromCase(string file)
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Cases", file))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(','))
            .ToList();
        return FairnessCalculator.Compute(
            "test",
            "sex",
            "Male",
            rows.Select(r => r[2] == "1").ToArray(),
            rows.Select(r => r[3] == "1").ToArray(),
            rows.Select(r => r[1]).ToArray(),
            ["Male", "Female"]);
    }

    [Fact]
    public void Compute_GroupWithoutPositiveLabels_LeavesTprUndefined()
    {
        var report = ComputeFromCase("C01.csv");

        var male = report.Groups[0];
        var female = report.Groups[1];
        Assert.Equal("Male", male.Group);
        Assert.Equal(6, male.Count);
        Assert.Equal(0.5, male.SelectionRate!.Value, Tolerance);
        Assert.Equal(2.0 / 3, male.TruePositiveRate!.Value, Tolerance);
        Assert.Equal(1.0 / 3, male.FalsePositiveRate!.Value, Tolerance);
        Assert.Equal(2.0 / 3, male.Accuracy!.Value, Tolerance);
        Assert.Equal(4, female.Count);
        Assert.Equal(0.25, female.SelectionRate!.Value, Tolerance);
        Assert.Null(female.TruePositiveRate);
        Assert.Equal(0.25, female.FalsePositiveRate!.Value, Tolerance);
        Assert.Equal(0.75, female.Accuracy!.Value, Tolerance);
        Assert.Contains(female.Undefined, u => u.Metric == "true_positive_rate" && u.Reason == "no positive labels in group Female (0 of 4)");
    }

    [Fact]
    public void Compute_GroupWithoutPositiveLabels_LeavesGapsThatNeedTprUndefined()
    {
        var report = ComputeFromCase("C01.csv");

        Assert.Equal(0.25, report.DemographicParityDifference!.Value, Tolerance);
        Assert.Equal(0.5, report.DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(1.0 / 12, report.FalsePositiveRateDifference!.Value, Tolerance);
        Assert.Null(report.EqualOpportunityDifference);
        Assert.Null(report.EqualizedOddsDifference);
        var opportunity = Assert.Single(report.Undefined, u => u.Metric == "equal_opportunity_difference");
        Assert.Equal("no positive labels in group Female (0 of 4)", opportunity.Reason);
        Assert.Equal(0, opportunity.Denominator);
        var odds = Assert.Single(report.Undefined, u => u.Metric == "equalized_odds_difference");
        Assert.Contains("no positive labels in group Female (0 of 4)", odds.Reason);
    }

    [Fact]
    public void Compute_NobodyApproved_KeepsZeroGapsAndUndefinedImpact()
    {
        var report = ComputeFromCase("C02.csv");

        Assert.Equal(0.0, report.DemographicParityDifference);
        Assert.Equal(0.0, report.EqualOpportunityDifference);
        Assert.Equal(0.0, report.FalsePositiveRateDifference);
        Assert.Equal(0.0, report.EqualizedOddsDifference);
        Assert.Null(report.DisparateImpactRatio);
        var impact = Assert.Single(report.Undefined, u => u.Metric == "disparate_impact_ratio");
        Assert.StartsWith("privileged group has no positive predictions", impact.Reason);
        Assert.Equal(0.5, report.Groups[0].Accuracy!.Value, Tolerance);
        Assert.Equal(0.75, report.Groups[1].Accuracy!.Value, Tolerance);
        Assert.All(report.Groups, g => Assert.Equal(0.0, g.SelectionRate));
        Assert.All(report.Groups, g => Assert.Equal(0.0, g.TruePositiveRate));
        Assert.All(report.Groups, g => Assert.Equal(0.0, g.FalsePositiveRate));
    }

    [Fact]
    public void Compute_ReferenceSelectedLess_RatioIsLowestOverHighest()
    {
        // Reference M is selected at 2 of 5, F at 4 of 5: F's ratio against M is 2, but the four-fifths rule
        // compares M with F, the group of the highest rate, so the headline is 0.4 / 0.8 = 0.5.
        bool[] labels = [true, true, true, true, true, true, true, true, true, true];
        bool[] predictions = [true, true, false, false, false, true, true, true, true, false];
        string[] groups = ["M", "M", "M", "M", "M", "F", "F", "F", "F", "F"];

        var report = FairnessCalculator.Compute("test", "sex", "M", labels, predictions, groups);

        Assert.Equal(0.5, report.DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(2.0, report.Groups.Single(g => g.Group == "F").DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(1.0, report.Groups.Single(g => g.Group == "M").DisparateImpactRatio!.Value, Tolerance);
    }

    [Fact]
    public void Compute_ThreeGroups_UsesMaxMinusMinAndSmallestRatio()
    {
        bool[] labels = [true, false, true, false, true, false, true, false, true];
        bool[] predictions = [true, true, true, false, true, false, false, false, false];
        string[] groups = ["A", "A", "A", "B", "B", "B", "C", "C", "C"];

        var report = FairnessCalculator.Compute("test", "race", "A", labels, predictions, groups);

        Assert.Equal(["A", "B", "C"], report.Groups.Select(g => g.Group));
        Assert.Equal(1.0, report.DemographicParityDifference!.Value, Tolerance);
        Assert.Equal(0.0, report.DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(1.0 / 3, report.Groups[1].DisparateImpactRatio!.Value, Tolerance);
        Assert.Equal(1.0, report.EqualOpportunityDifference!.Value, Tolerance);
        Assert.Equal(1.0, report.FalsePositiveRateDifference!.Value, Tolerance);
        Assert.Equal(1.0, report.EqualizedOddsDifference!.Value, Tolerance);
        Assert.Equal(6.0 / 9, report.Accuracy!.Value, Tolerance);
    }

    [Fact]
    public void Compute_NoMetricIsNaN()
    {
        bool[] labels = [false, false, true];
        bool[] predictions = [false, false, false];
        string[] groups = ["A", "B", "B"];

        var report = FairnessCalculator.Compute("test", "sex", "A", labels, predictions, groups);

        double?[] values =
        [
            report.Accuracy, report.DemographicParityDifference, report.EqualizedOddsDifference,
            report.EqualOpportunityDifference, report.DisparateImpactRatio, report.FalsePositiveRateDifference,
            .. report.Groups.SelectMany(g => new[] { g.SelectionRate, g.TruePositiveRate, g.FalsePositiveRate, g.FalseNegativeRate, g.Accuracy, g.DisparateImpactRatio }),
        ];
        Assert.All(values, v => Assert.False(v is { } x && !double.IsFinite(x)));
    }
}
