using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

public sealed class LinearStackTests
{
    [Theory]
    [InlineData(30)]
    [InlineData(9_000)]
    public void Prefix_AnyRowCount_MatchesWholeBatch(int rows)
    {
        manual_seed(5);
        var network = new TabularModel(6, [5, 4]);
        using var inputs = randn(rows, 6);
        using var stack = new LinearStack(network, [2]);

        using var prefix = stack.Prefix(inputs);

        using var noGrad = no_grad();
        var first = nn.functional.relu(network.Layers[0].forward(inputs));
        using var expected = nn.functional.relu(network.Layers[1].forward(first)).to(float64);
        Assert.Equal(float64, prefix.dtype);
        Assert.Equal(expected.shape, prefix.shape);
        double difference = (prefix - expected).abs().max().item<double>();
        Assert.True(difference <= 1e-6, $"max difference {difference}");
    }
}
