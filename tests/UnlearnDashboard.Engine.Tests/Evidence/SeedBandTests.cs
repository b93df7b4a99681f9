using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Tests.Evidence;

public sealed class SeedBandTests
{
    [Fact]
    public void GetOrTrain_SecondCall_ReusesTrainings()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(data, new ModelSettings { Epochs = 3 }, null, null, CancellationToken.None);
        var cache = new SeedBandCache();

        var first = cache.GetOrTrain(model, data, 3, CancellationToken.None);
        var second = cache.GetOrTrain(model, data, 3, CancellationToken.None);

        Assert.Equal(3, cache.TrainingCount);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal([1, 2, 3], first.Seeds);
        Assert.Equal(first.Runs, second.Runs);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void GetOrTrain_OtherCacheOnSameFolder_ReadsFile()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(data, new ModelSettings { Epochs = 2 }, null, null, CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("seed-band-cache-");
        try
        {
            var writer = new SeedBandCache(folder.FullName);
            var reader = new SeedBandCache(folder.FullName);

            var trained = writer.GetOrTrain(model, data, 2, CancellationToken.None);
            var read = reader.GetOrTrain(model, data, 2, CancellationToken.None);

            Assert.False(trained.FromCache);
            Assert.True(read.FromCache);
            Assert.Equal(0, reader.TrainingCount);
            Assert.Equal(trained.Runs, read.Runs);
            Assert.Single(folder.GetFiles("*.json"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void GetOrTrain_MalformedFile_TrainsAgain()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(data, new ModelSettings { Epochs = 2 }, null, null, CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("seed-band-cache-");
        try
        {
            string file = Path.Combine(folder.FullName, SeedBandCache.KeyOf(model.Spec, data, 2) + ".json");
            File.WriteAllText(file, "[{\"Accuracy\": ");
            var cache = new SeedBandCache(folder.FullName);

            var result = cache.GetOrTrain(model, data, 2, CancellationToken.None);

            Assert.False(result.FromCache);
            Assert.Equal(2, cache.TrainingCount);
            Assert.Equal(2, new SeedBandCache(folder.FullName).GetOrTrain(model, data, 2, CancellationToken.None).Runs.Count);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void GetOrTrain_OtherSettings_TrainsAgain()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        using var model = ModelTrainer.Train(data, new ModelSettings { Epochs = 2 }, null, null, CancellationToken.None);
        using var other = ModelTrainer.Train(data, new ModelSettings { Epochs = 2, Hidden = [16] }, null, null, CancellationToken.None);
        var cache = new SeedBandCache();

        cache.GetOrTrain(model, data, 2, CancellationToken.None);
        cache.GetOrTrain(other, data, 2, CancellationToken.None);

        Assert.Equal(4, cache.TrainingCount);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Compute_KnownValues_GivesMeanPlusMinusTwoDeviations()
    {
        // Accuracy 0.80, 0.82, 0.84: mean 0.82, sample standard deviation 0.02, band [0.78, 0.86].
        HeadlineMetrics[] runs = [new(0.80, 0.10, null), new(0.82, 0.12, null), new(0.84, 0.14, null)];

        var band = SeedBand.Compute(runs, new HeadlineMetrics(0.87, 0.13, 0.05));

        Assert.Equal(0.82, band[0].Mean!.Value, 1e-12);
        Assert.Equal(0.02, band[0].StandardDeviation!.Value, 1e-12);
        Assert.Equal(0.78, band[0].Lower!.Value, 1e-12);
        Assert.Equal(0.86, band[0].Upper!.Value, 1e-12);
        Assert.True(band[0].OutsideBand);
        Assert.False(band[1].OutsideBand);
        Assert.Null(band[2].Mean);
        Assert.Null(band[2].OutsideBand);
    }
}
