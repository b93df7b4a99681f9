using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Tests.Evidence;

public sealed class LevellingDownTests
{
    /// <summary>Builds a report of 100 Male and 100 Female rows, half of each with a positive label, from selected counts.</summary>
    private static FairnessReport Report(int maleTruePositives, int maleFalsePositives, int femaleTruePositives, int femaleFalsePositives)
    {
        var labels = new List<bool>();
        var predictions = new List<bool>();
        var groups = new List<string>();
        foreach (var (group, tp, fp) in new[] { ("Male", maleTruePositives, maleFalsePositives), ("Female", femaleTruePositives, femaleFalsePositives) })
        {
            for (int i = 0; i < 50; i++)
            {
                labels.Add(true);
                predictions.Add(i < tp);
                groups.Add(group);
            }

            for (int i = 0; i < 50; i++)
            {
                labels.Add(false);
                predictions.Add(i < fp);
                groups.Add(group);
            }
        }

        return FairnessCalculator.Compute("test", "sex", "Male", labels, predictions, groups, ["Male", "Female"]);
    }

    [Fact]
    public void Analyse_FavouredRateFalls_IsFlagged()
    {
        // Selection: Male 0.40 -> 0.20, Female 0.10 -> 0.12. The gap falls by 0.22, and Male's fall of 0.20 is most of it.
        var before = Report(35, 5, 8, 2);
        var after = Report(18, 2, 10, 2);

        var result = LevellingDown.Analyse(before, after);

        Assert.True(result.SelectionRate.LevelledDown);
        Assert.Equal("Male", result.SelectionRate.FavouredGroup);
        Assert.Equal(0.30, result.SelectionRate.GapBefore!.Value, 1e-12);
        Assert.Equal(0.08, result.SelectionRate.GapAfter!.Value, 1e-12);
        Assert.Equal(0.20, result.SelectionRate.FavouredDrop!.Value, 1e-12);
        Assert.Equal("Female", result.SelectionRate.LowestGroup);
        Assert.Equal(0.02, result.SelectionRate.LowestRise!.Value, 1e-12);
        Assert.True(result.TruePositiveRate.LevelledDown);
        Assert.True(result.Flagged);
    }

    [Fact]
    public void Analyse_UnfavouredRateRises_IsNotFlagged()
    {
        // Selection: Male 0.40 -> 0.38, Female 0.10 -> 0.30. The gap falls by 0.22, mostly because Female rose.
        var before = Report(35, 5, 8, 2);
        var after = Report(34, 4, 25, 5);

        var result = LevellingDown.Analyse(before, after);

        Assert.False(result.SelectionRate.LevelledDown);
        Assert.False(result.TruePositiveRate.LevelledDown);
        Assert.True(result.SelectionRate.AnyGroupFell);
        Assert.False(result.Flagged);
    }

    [Fact]
    public void Analyse_LowestGroupOvertakesFavoured_IsNotFlagged()
    {
        // TPR: Male 0.70 -> 0.60, Female 0.50 -> 0.66. Female now leads by 0.06, so the gap fell from 0.20 to 0.06;
        // Male's fall of 0.10 is more than half of that, but Female's rise of 0.16 is the larger part of the change.
        var before = Report(35, 5, 25, 5);
        var after = Report(30, 5, 33, 5);

        var result = LevellingDown.Analyse(before, after);

        Assert.Equal(0.20, result.TruePositiveRate.GapBefore!.Value, 1e-12);
        Assert.Equal(0.06, result.TruePositiveRate.GapAfter!.Value, 1e-12);
        Assert.Equal(0.10, result.TruePositiveRate.FavouredDrop!.Value, 1e-12);
        Assert.Equal("Female", result.TruePositiveRate.LowestGroup);
        Assert.Equal(0.16, result.TruePositiveRate.LowestRise!.Value, 1e-12);
        Assert.False(result.TruePositiveRate.LevelledDown);
    }

    [Fact]
    public void Analyse_TiedRatesBefore_NamesTwoGroups()
    {
        // Every row approved before: both selection rates are 1, so the favoured and lowest groups tie.
        var before = Report(50, 50, 50, 50);
        var after = Report(50, 50, 45, 45);

        var result = LevellingDown.Analyse(before, after);

        Assert.Equal("Male", result.SelectionRate.FavouredGroup);
        Assert.Equal("Female", result.SelectionRate.LowestGroup);
        Assert.False(result.SelectionRate.LevelledDown);
    }

    [Fact]
    public void Analyse_UndefinedRate_IsNotFlagged()
    {
        var before = FairnessCalculator.Compute("test", "sex", "Male", [true, false, false, false], [true, false, true, false], ["Male", "Male", "Female", "Female"]);
        var after = FairnessCalculator.Compute("test", "sex", "Male", [true, false, false, false], [false, false, false, false], ["Male", "Male", "Female", "Female"]);

        var result = LevellingDown.Analyse(before, after);

        Assert.Null(result.TruePositiveRate.FavouredGroup);
        Assert.False(result.TruePositiveRate.LevelledDown);
    }
}
