using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Tests.Evidence;

public sealed class EvidenceRunnerTests
{
    private static readonly PreparedDataset GermanCredit = DatasetProfiles.Load(DatasetProfiles.GermanCredit);

    private static TrainedModel TrainSmall() =>
        ModelTrainer.Train(GermanCredit, new ModelSettings { Epochs = 3 }, null, null, CancellationToken.None);

    [Fact]
    public void Compute_NoRemovedSamples_ListsSkippedParts()
    {
        using var model = TrainSmall();
        var input = new EvidenceInput { BaseModel = model, UpdatedModel = model, Data = GermanCredit, RemovedPositions = [] };
        var options = new EvidenceOptions { Retrain = true };

        var evidence = EvidenceRunner.Compute(input, options, null, CancellationToken.None);

        Assert.Null(evidence.Retrain);
        Assert.Null(evidence.RandomControl);
        Assert.Null(evidence.MembershipInference);
        Assert.NotNull(evidence.GroupThresholds);
        Assert.Equal(3, evidence.Skipped.Count);
        Assert.Contains(evidence.Skipped, s => s.StartsWith("retrain:"));
        Assert.Contains(evidence.Skipped, s => s.StartsWith("membership inference:"));
    }

    [Fact]
    public void Compute_TooFewRemovedSamples_SkipsMembershipInference()
    {
        using var model = TrainSmall();
        int[] removed = [.. Enumerable.Range(0, MembershipInference.MinimumMembers - 1)];
        var input = new EvidenceInput { BaseModel = model, UpdatedModel = model, Data = GermanCredit, RemovedPositions = removed };

        var evidence = EvidenceRunner.Compute(input, new EvidenceOptions { RandomControl = false }, null, CancellationToken.None);

        Assert.Null(evidence.MembershipInference);
        Assert.Contains($"membership inference: the run removed {removed.Length} samples, fewer than the {MembershipInference.MinimumMembers}", Assert.Single(evidence.Skipped));
    }

    [Fact]
    public void Compute_RandomControl_UsesSameSizeSetsPerDraw()
    {
        using var model = TrainSmall();
        var sets = new List<int[]>();
        RemovalUpdate update = (positions, _) =>
        {
            sets.Add(positions);
            return model.Clone();
        };
        var input = new EvidenceInput { BaseModel = model, UpdatedModel = model, Data = GermanCredit, RemovedPositions = [0, 1, 2, 3, 4, 5, 6], Update = update };

        var evidence = EvidenceRunner.Compute(input, new EvidenceOptions { RandomDraws = 3 }, null, CancellationToken.None);

        Assert.Equal(3, sets.Count);
        Assert.All(sets, set => Assert.Equal(7, set.Distinct().Count()));
        Assert.All(sets, set => Assert.All(set, p => Assert.InRange(p, 0, GermanCredit.Train.Count - 1)));
        Assert.NotEqual(sets[0], sets[1]);
        Assert.Equal(3, evidence.RandomControl!.Draws.Count);
    }

    [Fact]
    public void Compute_Cancelled_ThrowsAndCachesNothing()
    {
        using var model = TrainSmall();
        var input = new EvidenceInput { BaseModel = model, UpdatedModel = model, Data = GermanCredit, RemovedPositions = [0, 1, 2] };
        var cache = new SeedBandCache();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            EvidenceRunner.Compute(input, new EvidenceOptions { SeedBand = true }, null, cancellation.Token, cache));

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.TrainingCount);
        Assert.Equal(GermanCredit.Test.Count, model.PredictLogits(GermanCredit.Test).Length);
    }

    [Fact]
    public void Validate_TooFewSeeds_NamesTheOption()
    {
        var error = Assert.Throws<EngineException>(() => new EvidenceOptions { SeedBandSeeds = 1 }.Validate());

        Assert.Contains("seed_band_seeds", error.Message);
    }
}
