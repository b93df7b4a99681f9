using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Tests.Fairness;

public sealed class GroupMetricsTests
{
    private static TabularSplit Split(string[] sex, string[] race)
    {
        int n = sex.Length;
        return new TabularSplit(
            "test",
            ["sex", "race"],
            [sex, race],
            Enumerable.Range(0, n).Select(i => (long)i).ToArray(),
            new float[n],
            sex);
    }

    [Fact]
    public void ForIntersection_NamesGroupsInColumnOrder()
    {
        var split = Split(["Female", "Male", "Female"], ["Black", "White", "White"]);

        var bySexThenRace = GroupAssignment.ForIntersection(split, ["sex", "race"]);
        var byRaceThenSex = GroupAssignment.ForIntersection(split, ["race", "sex"]);

        Assert.Equal(["Female|Black", "Male|White", "Female|White"], bySexThenRace.Groups);
        Assert.Equal("sex|race", bySexThenRace.Attribute);
        Assert.Equal(["Black|Female", "White|Male", "White|Female"], byRaceThenSex.Groups);
    }

    [Fact]
    public void ForIntersection_OneColumn_GroupsByItsValues()
    {
        var split = Split(["Female", "Male"], ["Black", "White"]);

        var grouping = GroupAssignment.ForIntersection(split, ["race"]);

        Assert.Equal(["Black", "White"], grouping.Groups);
        Assert.Equal("race", grouping.Attribute);
        Assert.Equal("race: one group per value", grouping.Rule);
    }

    [Fact]
    public void ForIntersection_UnknownColumn_NamesIt()
    {
        var split = Split(["Female"], ["Black"]);

        var error = Assert.Throws<EngineException>(() => GroupAssignment.ForIntersection(split, ["sex", "age"]));

        Assert.Contains("'age'", error.Message);
    }

    [Fact]
    public void Compute_GroupBelowMinimumSize_IsListedNotScored()
    {
        string[] groups = ["A", "A", "A", "A", "A", "B", "B"];
        bool[] labels = [true, false, true, false, true, true, false];
        bool[] predictions = [true, false, false, false, true, true, true];

        var report = FairnessCalculator.Compute("test", "g", "A", labels, predictions, groups, minimumGroupSize: 3);

        Assert.Equal(["A"], report.Groups.Select(g => g.Group));
        var tooSmall = Assert.Single(report.TooSmallGroups);
        Assert.Equal("B", tooSmall.Group);
        Assert.Equal(2, tooSmall.Count);
        Assert.Contains("minimum group size 3", tooSmall.Reason);
        Assert.Equal(3, report.MinimumGroupSize);
        Assert.Equal(7, report.Count);
        Assert.Equal(5.0 / 7, report.Accuracy!.Value, 1e-12);
    }

    [Fact]
    public void Compute_NoMinimumSize_ScoresEveryGroup()
    {
        var report = FairnessCalculator.Compute("test", "g", "A", [true, false], [true, true], ["A", "B"]);

        Assert.Equal(2, report.Groups.Count);
        Assert.Empty(report.TooSmallGroups);
    }

    [Fact]
    public void Compute_ReferenceGroupTooSmall_LeavesDisparateImpactUndefined()
    {
        var report = FairnessCalculator.Compute("test", "g", "B", [true, false, true, false], [true, true, false, true], ["A", "A", "A", "B"], minimumGroupSize: 2);

        Assert.Null(report.DisparateImpactRatio);
        Assert.Contains(report.Undefined, u => u.Metric == "disparate_impact_ratio" && u.Reason.Contains("below the minimum group size"));
    }

    [Fact]
    public void ForBoundary_GermanCreditAge_NamesGroupsByRule()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        var rule = new NumericBoundaryRule("age", 25);

        var grouping = GroupAssignment.ForBoundary(data.Test, rule);

        Assert.Equal("age <= 25 vs age > 25", grouping.Rule);
        Assert.Equal(["age <= 25", "age > 25"], grouping.Sizes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(data.Test.Count, grouping.Sizes.Values.Sum());
        var ages = data.Test.FeatureValues[data.Test.FeatureColumns.ToList().IndexOf("age")].Select(int.Parse).ToArray();
        Assert.Equal(ages.Count(a => a <= 25), grouping.Sizes["age <= 25"]);
    }

    [Fact]
    public void Calibration_ConstructedExample_MatchesHandValue()
    {
        // Bin [0, 0.1): 2 rows, mean 0.05, observed 0.5. Bin [0.1, 0.2): 1 row, 0.15, observed 0.
        // Bin [0.9, 1]: 1 row, 0.95, observed 1. ECE = (2 * 0.45 + 0.15 + 0.05) / 4 = 0.275.
        double[] probabilities = [0.05, 0.05, 0.15, 0.95];
        bool[] labels = [false, true, false, true];

        var (error, bins) = ScoreMetrics.Calibration(probabilities, labels);

        Assert.Equal(0.275, error!.Value, 1e-12);
        Assert.Equal(10, bins.Count);
        Assert.Equal(2, bins[0].Count);
        Assert.Equal(0.5, bins[0].ObservedRate!.Value, 1e-12);
        Assert.Equal(0.05, bins[0].MeanPredicted!.Value, 1e-12);
        Assert.Equal(0, bins[5].Count);
        Assert.Null(bins[5].MeanPredicted);
        Assert.Equal(1, bins[9].Count);
    }

    [Fact]
    public void Calibration_ProbabilityOne_FallsInLastBin()
    {
        var (_, bins) = ScoreMetrics.Calibration([1.0], [true]);

        Assert.Equal(1, bins[9].Count);
    }

    [Fact]
    public void ByGroup_GroupWithOneLabel_LeavesAucUndefined()
    {
        double[] probabilities = [0.9, 0.2, 0.7, 0.4];
        bool[] labels = [true, false, false, false];
        string[] groups = ["A", "A", "B", "B"];

        var scores = ScoreMetrics.ByGroup(probabilities, labels, groups);

        Assert.Equal(1.0, scores[0].Auc!.Value, 1e-12);
        Assert.Null(scores[1].Auc);
        Assert.Contains(scores[1].Undefined, u => u.Metric == "auc" && u.Reason.Contains("no positive labels in group B"));
    }

    [Fact]
    public void ThresholdSweep_MatchesCalculatorAtEachThreshold()
    {
        var random = new Random(5);
        double[] probabilities = Enumerable.Range(0, 300).Select(_ => random.NextDouble()).ToArray();
        bool[] labels = probabilities.Select(p => random.NextDouble() < p).ToArray();
        string[] groups = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? "B" : "A").ToArray();

        var sweep = ScoreMetrics.ThresholdSweep(probabilities, labels, groups, "A");

        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], sweep.Select(p => p.Threshold));
        foreach (var point in sweep)
        {
            var report = FairnessCalculator.Compute("t", "g", "A", labels, probabilities.Select(p => p > point.Threshold).ToArray(), groups);
            Assert.Equal(report.DemographicParityDifference, point.DemographicParityDifference);
            Assert.Equal(report.EqualizedOddsDifference, point.EqualizedOddsDifference);
        }
    }
}
