using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Evidence;

/// <summary>
/// Test collection that runs alone, because its tests compare seeded trainings, and training seeds TorchSharp's
/// process-wide generator, which trainings in parallel tests would advance in between.
/// </summary>
[CollectionDefinition(nameof(SeededTrainingCollection), DisableParallelization = true)]
public sealed class SeededTrainingCollection;

[Collection(nameof(SeededTrainingCollection))]
public sealed class WeightedTrainingTests
{
    [Fact]
    public void TrainEncoded_UnitWeights_MatchUnweighted()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        var settings = new ModelSettings { Epochs = 2 };
        var encoder = FeatureEncoder.Fit(data.Train, data.Train.FeatureColumns, data.NumericColumns);
        using var inputs = tensor(encoder.Encode(data.Train), [data.Train.Count, encoder.FeatureCount], float32);
        using var labels = tensor(data.Train.Labels);
        using var ones = ones_like(labels);

        using var plain = ModelTrainer.TrainEncoded(data, settings, encoder, inputs, labels, null, CancellationToken.None);
        using var weighted = ModelTrainer.TrainEncoded(data, settings, encoder, inputs, labels, null, CancellationToken.None, ones);

        for (int layer = 0; layer < plain.Network.Layers.Count; layer++)
        {
            double difference = (plain.Network.Layers[layer].weight! - weighted.Network.Layers[layer].weight!).abs().max().item<float>();
            Assert.True(difference < 1e-6, $"fc{layer + 1}.weight differs by {difference}");
        }
    }

    [Fact]
    public void TrainEncoded_WrongWeightCount_Throws()
    {
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        var encoder = FeatureEncoder.Fit(data.Train, data.Train.FeatureColumns, data.NumericColumns);
        using var inputs = tensor(encoder.Encode(data.Train), [data.Train.Count, encoder.FeatureCount], float32);
        using var labels = tensor(data.Train.Labels);
        using var weights = ones(3);

        var error = Assert.Throws<ArgumentException>(() =>
            ModelTrainer.TrainEncoded(data, new ModelSettings { Epochs = 1 }, encoder, inputs, labels, null, CancellationToken.None, weights));

        Assert.Contains("3 rows", error.Message);
    }
}
