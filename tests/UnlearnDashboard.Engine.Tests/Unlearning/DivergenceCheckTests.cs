using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Unlearning;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Unlearning;

public sealed class DivergenceCheckTests
{
    private static TrainedModel CreateModel()
    {
        manual_seed(9);
        var spec = new ModelSpec
        {
            Settings = new ModelSettings { Hidden = [5, 4] },
            SensitiveColumn = "group",
            EncoderColumns = Enumerable.Range(0, 6).Select(i => new EncodedColumn($"x{i}", true, 0, 1, [])).ToList(),
            Layers = [new LayerShape("fc1", 6, 5), new LayerShape("fc2", 5, 4), new LayerShape("fc3", 4, 1)],
        };
        return new TrainedModel(spec, TrainedModel.CreateNetwork(spec));
    }

    // 9,000 rows span three chunks of LinearStack.PrefixChunkRows; the bad row sits in the last, partial one.
    [Fact]
    public void ThrowIfDiverged_LastChunkOverflows_Throws()
    {
        using var model = CreateModel();
        using var stack = new LinearStack(model.Network, [2]);
        using var inputs = randn(9_000, 6);
        using var prefix = stack.Prefix(inputs);
        prefix[8_999, 0] = 1e300;

        DivergenceCheck.ThrowIfDiverged(model, [2], prefix.narrow(0, 0, 8_999), "damping", "0.1", "The Newton step", "Set a larger damping.", inputsLayer: 2);
        var error = Assert.Throws<EngineException>(() =>
            DivergenceCheck.ThrowIfDiverged(model, [2], prefix, "damping", "0.1", "The Newton step", "Set a larger damping.", inputsLayer: 2));

        Assert.Equal("damping", error.Field);
        Assert.Contains("the model's outputs on the training rows NaN or infinite", error.Message);
    }
}
