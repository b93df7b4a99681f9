using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Unlearning;

/// <summary>
/// A 3-8-8-1 ReLU network on inputs [s, x1, x2], where s is the group (0 or 1). The labels depend on x1 and
/// x2 only. Bias is planted by giving fc1 large weights from s, so that the group moves the logit.
/// </summary>
public sealed class LayerAttributionTests
{
    private static (TabularModel Network, Tensor Inputs, Tensor Labels, int[] Groups) CreatePlantedModel(double plantedWeight, int seed)
    {
        // A local generator, because tests in other classes draw from the global one in parallel.
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        var network = new TabularModel(3, [8, 8]);
        int rows = 400;
        var groups = Enumerable.Range(0, rows).Select(i => i % 2).ToArray();
        var sensitive = tensor(groups.Select(g => (float)g).ToArray()).unsqueeze(1);
        var features = randn([rows, 2], generator: generator);
        var inputs = cat([sensitive, features], 1);
        var labels = (features[TensorIndex.Colon, 0] + 0.5 * features[TensorIndex.Colon, 1] > 0).to(float32);
        using (no_grad())
        {
            foreach (var layer in network.Layers)
            {
                layer.weight!.copy_(randn(layer.weight!.shape, generator: generator) / Math.Sqrt(layer.weight!.shape[1]));
                layer.bias!.copy_(randn(layer.bias!.shape, generator: generator) * 0.1);
            }

            var weight = network.Layers[0].weight!;
            weight[TensorIndex.Colon, 0] = weight[TensorIndex.Colon, 0].sign() * plantedWeight;
        }

        return (network, inputs, labels, groups);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(27)]
    [InlineData(28)]
    public void Attribute_BiasPlantedInFirstLayer_ChoosesFc1(int seed)
    {
        var (network, inputs, labels, groups) = CreatePlantedModel(plantedWeight: 3.0, seed);
        using var objective = new ObjectiveContext(BiasObjectiveKind.DemographicParity, inputs, labels.data<float>().ToArray(), groups, ["a", "b"]);

        var attributions = LayerAttributor.Attribute(network, objective, inputs, groups, CancellationToken.None);

        Assert.Equal(["fc1", "fc2", "fc3"], attributions.Select(a => a.Layer));
        string table = string.Join("; ", attributions.Select(a => $"{a.Layer} gradient {a.GradientNorm:G3} curvature {a.MeanCurvature:G3} score {a.Score:G3}"));
        Assert.True(attributions[0].Chosen, table);
        Assert.All(attributions, a => Assert.True(a.Score > 0, $"{a.Layer} score {a.Score}"));
    }
}

public sealed class LayerAttributionScoreTests
{
    [Fact]
    public void Attribute_ScoresEveryLayerAndChoosesHighest()
    {
        using var generator = new TorchSharp.torch.Generator(3);
        var network = new TabularModel(3, [5, 4]);
        var inputs = randn([200, 3], generator: generator);
        var groups = Enumerable.Range(0, 200).Select(i => i % 2).ToArray();
        var labels = (inputs[TensorIndex.Colon, 1] > 0).to(float32);
        using var objective = new ObjectiveContext(BiasObjectiveKind.DemographicParity, inputs, labels.data<float>().ToArray(), groups, ["a", "b"]);

        var attributions = LayerAttributor.Attribute(network, objective, inputs, groups, CancellationToken.None);

        Assert.Equal(["fc1", "fc2", "fc3"], attributions.Select(a => a.Layer));
        var chosen = Assert.Single(attributions, a => a.Chosen);
        Assert.Equal(attributions.Max(a => a.Score), chosen.Score);
        Assert.All(attributions, a => Assert.True(a.GradientNorm > 0 && a.MeanCurvature > 0, $"{a.Layer}"));

        // fc1's inputs are the model inputs, so its gain can be computed from the group means directly.
        var weight = network.Layers[0].weight!.detach().to(float64);
        var all = inputs.to(float64);
        double inputScatter = 0;
        double outputScatter = 0;
        foreach (int group in new[] { 0, 1 })
        {
            long[] members = Enumerable.Range(0, 200).Where(i => groups[i] == group).Select(i => (long)i).ToArray();
            var difference = all.index_select(0, tensor(members)).mean([0]) - all.mean([0]);
            inputScatter += members.Length * difference.dot(difference).item<double>();
            outputScatter += members.Length * weight.matmul(difference).pow(2).sum().item<double>();
        }

        Assert.Equal(Math.Sqrt(outputScatter / inputScatter), attributions[0].Score, 1e-9);
    }

    [Fact]
    public void BetweenGroupGain_ScaledIdentity_ReturnsScale()
    {
        using var generator = new TorchSharp.torch.Generator(4);
        var inputs = randn([90, 4], dtype: float64, generator: generator);
        var groups = tensor(Enumerable.Range(0, 90).Select(i => (long)(i % 3)).ToArray());

        double gain = LayerAttributor.BetweenGroupGain(2.5 * eye(4, dtype: float64), inputs, groups, groupCount: 3);

        Assert.Equal(2.5, gain, 1e-12);
    }
}
