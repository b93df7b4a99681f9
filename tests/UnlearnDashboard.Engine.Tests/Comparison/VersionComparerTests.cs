using UnlearnDashboard.Engine.Comparison;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using UnlearnDashboard.Engine.Tests.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Comparison;

public sealed class VersionComparerTests(AdultModelFixture fixture) : IClassFixture<AdultModelFixture>
{
    private static readonly HashSet<long> NoRows = [];

    [Fact]
    public void Compare_VersionWithItself_ChangesNothing()
    {
        var comparison = VersionComparer.Compare(fixture.Model, fixture.Model, fixture.Data, NoRows, NoRows,
            new ComparisonOptions { Bootstrap = new BootstrapOptions { Resamples = 50 } }, CancellationToken.None);

        Assert.All(comparison.Metrics.Where(m => m.Delta is not null), m =>
        {
            Assert.Equal(0, m.Delta!.Value);
            Assert.Equal(0, m.DeltaLower!.Value);
            Assert.Equal(0, m.DeltaUpper!.Value);
        });
        Assert.All(comparison.Flips, f => Assert.Equal(0, f.Flipped));
        Assert.Empty(comparison.FlippedExamples);
        Assert.All(comparison.LayerChanges, c => Assert.Equal(0, c.DeltaNorm));
        Assert.Equal(0, comparison.Removed.Count);
    }

    [Fact]
    public void Compare_DebiasedChild_MatchesItsOwnEvaluation()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions(), null, CancellationToken.None);
        var removed = outcome.RemovedRowIds.ToHashSet();

        var comparison = VersionComparer.Compare(fixture.Model, outcome.UpdatedModel, fixture.Data, NoRows, removed,
            new ComparisonOptions(), CancellationToken.None);

        var before = FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "test");
        var after = FairnessEvaluator.Evaluate(outcome.UpdatedModel, fixture.Data, "test");
        var dp = comparison.Metrics.Single(m => m is { Metric: "demographic_parity_difference", Group: null });
        Assert.Equal(before.DemographicParityDifference, dp.Baseline);
        Assert.Equal(after.DemographicParityDifference, dp.Candidate);
        Assert.Equal(after.DemographicParityDifference!.Value - before.DemographicParityDifference!.Value, dp.Delta!.Value, 12);
        Assert.InRange(dp.Delta.Value, dp.DeltaLower!.Value, dp.DeltaUpper!.Value);
        Assert.True(dp.DeltaUpper < 0, $"the parity gap fell by {dp.Delta:F4}, so its interval [{dp.DeltaLower:F4}, {dp.DeltaUpper:F4}] should exclude 0");

        // Each group's favourable decisions after = before + newly favourable - newly unfavourable.
        foreach (var flips in comparison.Flips)
        {
            var b = before.Groups.Single(g => g.Group == flips.Group);
            var a = after.Groups.Single(g => g.Group == flips.Group);
            Assert.Equal(a.TruePositives + a.FalsePositives, b.TruePositives + b.FalsePositives + flips.NowFavourable - flips.NowUnfavourable);
            Assert.Equal(b.Count, flips.Count);
        }

        Assert.Equal(Math.Min(10, comparison.Flips.Sum(f => f.Flipped)), comparison.FlippedExamples.Count);
        Assert.All(comparison.FlippedExamples, row => Assert.NotEqual(row.BaselineDecision, row.CandidateDecision));
        Assert.Equal(removed.Count, comparison.Removed.Count);
        Assert.Equal(removed.Count, comparison.Removed.Cells.Sum(c => c.RemovedCount));
        Assert.Equal(fixture.Data.Train.Count, comparison.Removed.Cells.Sum(c => c.TrainCount));
        Assert.Equal(["fc1", "fc2", "fc3"], comparison.LayerChanges.Select(c => c.Layer));
        Assert.Contains(comparison.LayerChanges, c => c.DeltaNorm > 0);
    }

    [Fact]
    public void Compare_ReversedOrder_CountsRemovedRowsAsRestored()
    {
        var removed = fixture.Data.Train.RowIds.Take(25).ToHashSet();

        var comparison = VersionComparer.Compare(fixture.Model, fixture.Model, fixture.Data, removed, NoRows,
            new ComparisonOptions { Bootstrap = new BootstrapOptions { Resamples = 10 } }, CancellationToken.None);

        Assert.Equal(0, comparison.Removed.Count);
        Assert.Equal(25, comparison.Removed.RestoredCount);
    }

    [Fact]
    public void Impacts_HighestGroup_HasRatioOne()
    {
        var report = FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "test");

        var impacts = VersionComparer.Impacts(report, report);

        var highest = report.Groups.MaxBy(g => g.SelectionRate)!;
        Assert.Equal(1.0, impacts.Single(i => i.Group == highest.Group).BaselineRatio);
        var female = impacts.Single(i => i.Group == "Female");
        Assert.True(female.BaselineBelowFourFifths, $"Female impact ratio {female.BaselineRatio:F3}");
    }

    [Fact]
    public void Compare_DifferentArchitectures_SaysWhyLayersAreMissing()
    {
        using var other = ModelTrainer.Train(fixture.Data, new ModelSettings { Hidden = [16], Epochs = 1 }, null, null, CancellationToken.None);

        var comparison = VersionComparer.Compare(fixture.Model, other, fixture.Data, NoRows, NoRows,
            new ComparisonOptions { Bootstrap = new BootstrapOptions { Resamples = 10 } }, CancellationToken.None);

        Assert.Empty(comparison.LayerChanges);
        Assert.Contains("architectures differ", comparison.LayerChangesUnavailable);
        Assert.Contains("fc1 16x", comparison.LayerChangesUnavailable);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Compare_FlippedExamplesOutOfRange_NamesTheField(int examples)
    {
        var error = Assert.Throws<EngineException>(() => VersionComparer.Compare(fixture.Model, fixture.Model, fixture.Data, NoRows, NoRows,
            new ComparisonOptions { FlippedExamples = examples }, CancellationToken.None));

        Assert.Equal("flipped_examples", error.Field);
        Assert.Contains(examples.ToString(), error.Message);
    }
}
