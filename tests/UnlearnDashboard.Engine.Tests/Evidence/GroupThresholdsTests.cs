using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Tests.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Evidence;

public sealed class GroupThresholdsTests(AdultModelFixture fixture) : IClassFixture<AdultModelFixture>
{
    [Fact]
    public void Run_Adult_EqualisesValidationSelectionRates()
    {
        var result = GroupThresholds.Run(fixture.Model, fixture.Data);

        Assert.Equal(["Female", "Male"], result.Thresholds.Select(t => t.Group));
        foreach (var threshold in result.Thresholds)
        {
            Assert.True(Math.Abs(threshold.ValidationSelectionRate - result.TargetSelectionRate) <= 0.002,
                $"{threshold.Group}: selection rate {threshold.ValidationSelectionRate:F4}, target {result.TargetSelectionRate:F4}");
        }
    }

    [Fact]
    public void Run_Adult_LowersTestParityGap()
    {
        var before = FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "test");

        var result = GroupThresholds.Run(fixture.Model, fixture.Data);

        Assert.True(result.Report.DemographicParityDifference < before.DemographicParityDifference / 2,
            $"demographic parity difference {before.DemographicParityDifference:F4} -> {result.Report.DemographicParityDifference:F4}");
    }

    [Fact]
    public void Choose_SmallGroups_SelectsRoundedShare()
    {
        double[] probabilities = [0.9, 0.8, 0.3, 0.2, 0.6, 0.4, 0.1, 0.05];
        string[] groups = ["A", "A", "A", "A", "B", "B", "B", "B"];

        var thresholds = GroupThresholds.Choose(probabilities, groups, 0.5);
        bool[] decisions = GroupThresholds.Apply(probabilities, groups, thresholds);

        Assert.Equal(0.55, thresholds[0].Probability, 1e-12);
        Assert.Equal(0.25, thresholds[1].Probability, 1e-12);
        Assert.Equal([true, true, false, false, true, true, false, false], decisions);
    }
}
