using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>Measures how much each layer of a model changed.</summary>
public static class LayerChanges
{
    /// <summary>Returns the change of every layer from <paramref name="before"/> to <paramref name="after"/>, in layer order.</summary>
    public static IReadOnlyList<LayerChange> Measure(TrainedModel before, TrainedModel after)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var changes = new List<LayerChange>();
        for (int i = 0; i < before.Network.Layers.Count; i++)
        {
            var original = before.Network.Layers[i];
            var updated = after.Network.Layers[i];
            var delta = cat([(updated.weight! - original.weight!).reshape(-1), updated.bias! - original.bias!]).to(float64);
            var reference = cat([original.weight!.reshape(-1), original.bias!]).to(float64);
            double deltaNorm = delta.norm().item<double>();
            double referenceNorm = reference.norm().item<double>();
            changes.Add(new LayerChange(before.Network.LayerNames[i], deltaNorm, referenceNorm > 0 ? deltaNorm / referenceNorm : 0));
        }

        return changes;
    }
}
