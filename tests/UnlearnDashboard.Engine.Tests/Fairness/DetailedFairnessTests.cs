using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Tests.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Fairness;

public sealed class DetailedFairnessTests(AdultModelFixture fixture) : IClassFixture<AdultModelFixture>
{
    [Fact]
    public void EvaluateDetailed_GermanCreditAge_StatesRuleAndSizes()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(data, new ModelSettings { Epochs = 5 }, null, null, CancellationToken.None);
        var options = new DetailedFairnessOptions { Boundary = new NumericBoundaryRule("age", 25) };

        var detailed = FairnessEvaluator.EvaluateDetailed(model, data, "test", options);

        Assert.Equal("age <= 25 vs age > 25", detailed.Report.GroupRule);
        Assert.Equal("age", detailed.Report.SensitiveAttribute);
        Assert.Equal("age > 25", detailed.Report.ReferenceGroup);
        Assert.Equal(["age > 25", "age <= 25"], detailed.GroupSizes.Select(p => p.Key));
        Assert.Equal(data.Test.Count, detailed.GroupSizes.Sum(p => p.Value));
        Assert.Equal(detailed.GroupSizes.Select(p => p.Value), detailed.Report.Groups.Select(g => g.Count));
        Assert.Equal(2, detailed.Scores.Count);
        Assert.Equal(9, detailed.ThresholdSweep.Count);
        Assert.Null(detailed.Intervals);
    }

    [Fact]
    public void EvaluateDetailed_AdultSexAndRace_ListsSmallIntersections()
    {
        var options = new DetailedFairnessOptions
        {
            GroupColumns = ["sex", "race"],
            MinimumGroupSize = 100,
            Bootstrap = new BootstrapOptions { Resamples = 200, Seed = 1 },
        };

        var detailed = FairnessEvaluator.EvaluateDetailed(fixture.Model, fixture.Data, "test", options);

        var report = detailed.Report;
        Assert.Equal("sex|race", report.SensitiveAttribute);
        Assert.Equal("Male|White", report.ReferenceGroup);
        Assert.Contains(report.Groups, g => g.Group == "Female|Black");
        Assert.NotEmpty(report.TooSmallGroups);
        Assert.All(report.TooSmallGroups, g => Assert.True(g.Count < 100, $"{g.Group} has {g.Count} rows"));
        Assert.All(report.Groups, g => Assert.True(g.Count >= 100, $"{g.Group} has {g.Count} rows"));
        Assert.Equal(fixture.Data.Test.Count, report.Groups.Sum(g => g.Count) + report.TooSmallGroups.Sum(g => g.Count));
        Assert.Equal(report.Groups.Select(g => g.Group), detailed.Scores.Select(s => s.Group));
        Assert.DoesNotContain(detailed.Intervals!, i => i.Group is not null && report.TooSmallGroups.Any(t => t.Group == i.Group));
    }

    [Fact]
    public void EvaluateDetailed_Defaults_MatchEvaluate()
    {
        var plain = FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "test");

        var detailed = FairnessEvaluator.EvaluateDetailed(fixture.Model, fixture.Data, "test", new DetailedFairnessOptions());

        Assert.Equal(plain.DemographicParityDifference, detailed.Report.DemographicParityDifference);
        Assert.Equal(plain.EqualizedOddsDifference, detailed.Report.EqualizedOddsDifference);
        Assert.Equal(plain.ReferenceGroup, detailed.Report.ReferenceGroup);
        Assert.Null(detailed.Report.GroupRule);
        Assert.Equal(plain.Groups.Select(g => g.Group), detailed.Report.Groups.Select(g => g.Group));
    }
}
