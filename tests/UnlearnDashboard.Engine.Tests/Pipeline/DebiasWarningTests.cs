using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

public sealed class DebiasWarningTests
{
    private static FairnessReport Report(bool[] predictions)
    {
        bool[] labels = [true, false, true, false];
        string[] groups = ["Male", "Male", "Female", "Female"];
        return FairnessCalculator.Compute("test", "sex", "Male", labels, predictions, groups);
    }

    [Fact]
    public void Warn_ObjectiveAndGapsRose_WarnsForEach()
    {
        var before = Report([true, false, true, false]);
        var after = Report([true, true, false, false]);

        var warnings = DebiasPipeline.Warn(before, after, objectiveBefore: 0.10, objectiveAfter: 0.20);

        Assert.Equal(3, warnings.Count);
        Assert.Contains("rose from 0.1000 to 0.2000", warnings[0]);
        Assert.Contains("demographic parity difference on the test split rose from 0.0000 to 1.0000", warnings[1]);
        Assert.Contains("equalized odds difference on the test split rose from 0.0000 to 1.0000", warnings[2]);
    }

    [Fact]
    public void Warn_TinyRise_ShowsDifferingDigits()
    {
        var report = Report([true, false, true, false]);

        var warning = Assert.Single(DebiasPipeline.Warn(report, report, objectiveBefore: 0.093412, objectiveAfter: 0.093418));

        Assert.Contains("rose from 0.09341 to 0.09342", warning);
    }

    [Fact]
    public void Warn_RoundingNoise_IsNoRise()
    {
        var report = Report([true, false, true, false]);

        // The German Credit case: an odds gap of 0.05 summed over other rows differs in the 17th digit.
        Assert.Empty(DebiasPipeline.Warn(report, report, objectiveBefore: 0.04999999999999993, objectiveAfter: 0.04999999999999999));
    }

    [Fact]
    public void Warn_ModelApprovesNobody_SaysParityZeroIsNotFair()
    {
        var before = Report([true, false, true, false]);
        var after = Report([false, false, false, false]);

        var warnings = DebiasPipeline.Warn(before, after, objectiveBefore: 0.10, objectiveAfter: 0.05);

        var warning = Assert.Single(warnings);
        Assert.Contains("approves nobody", warning);
    }

    [Fact]
    public void Warn_BiasFell_IsEmpty()
    {
        var before = Report([true, true, false, false]);
        var after = Report([true, false, true, false]);

        var warnings = DebiasPipeline.Warn(before, after, objectiveBefore: 0.20, objectiveAfter: 0.10);

        Assert.Empty(warnings);
    }
}
