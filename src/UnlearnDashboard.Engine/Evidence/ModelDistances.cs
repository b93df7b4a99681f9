using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>Measures how far one model is from another in decisions and in parameters.</summary>
public static class ModelDistances
{
    /// <summary>
    /// Returns the share of rows of <paramref name="rows"/> with the same decision (logit &gt; 0) and the L2
    /// distance of each layer's weight and bias together, plus the total. Both models need the same layer shapes.
    /// </summary>
    public static ModelDistance Between(TrainedModel first, TrainedModel second, TabularSplit rows)
    {
        var firstLayers = first.Network.Layers;
        var secondLayers = second.Network.Layers;
        if (firstLayers.Count != secondLayers.Count)
            throw new ArgumentException($"The models have {firstLayers.Count} and {secondLayers.Count} layers.");

        float[] a = first.PredictLogits(rows);
        float[] b = second.PredictLogits(rows);
        int agree = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] > 0f == b[i] > 0f)
                agree++;
        }

        var layers = new List<LayerDistance>();
        double totalSquared = 0;
        using (no_grad())
        {
            for (int layer = 0; layer < firstLayers.Count; layer++)
            {
                using var scope = NewDisposeScope();
                double squared = SquaredDistance(firstLayers[layer].weight!, secondLayers[layer].weight!)
                    + SquaredDistance(firstLayers[layer].bias!, secondLayers[layer].bias!);
                totalSquared += squared;
                layers.Add(new LayerDistance(first.Network.LayerNames[layer], Math.Sqrt(squared)));
            }
        }

        return new ModelDistance(a.Length == 0 ? 1 : (double)agree / a.Length, layers, Math.Sqrt(totalSquared));
    }

    private static double SquaredDistance(Tensor x, Tensor y)
    {
        if (!x.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"Parameter shapes differ: [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}].");
        return (x.to(float64) - y.to(float64)).pow(Scalars.Two).sum().item<double>();
    }
}
