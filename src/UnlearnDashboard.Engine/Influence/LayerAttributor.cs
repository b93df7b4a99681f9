using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// Chooses the layer to unlearn on by per-layer bias attribution. A layer's score is the norm of grad B over its
/// parameters divided by its mean curvature (the mean of its Gauss-Newton diagonal), which is the length of a
/// gradient step on B preconditioned by that mean curvature. Dividing by the curvature keeps the choice from favouring layers
/// downstream of large activations, whose gradients are large because their inputs are. The highest score is
/// chosen; a layer without curvature (all its units dead) scores 0.
/// </summary>
/// <remarks>
/// NOTE: this is a heuristic, not a reparametrisation-invariant measure, and it does not reliably find a planted
/// layer. On a 3-8-8-1 network with large fc1 weights from the group input it chose fc1 for one random draw
/// of the other weights and fc2 for another. The diagonal and full-block Newton decrements and the curvature
/// along grad B did no better there.
/// </remarks>
internal static class LayerAttributor
{

    public static IReadOnlyList<LayerAttribution> Attribute(
        TabularModel network,
        ObjectiveContext objective,
        Tensor trainInputs,
        CancellationToken cancellationToken)
    {
        var rows = new List<(string Layer, double GradientNorm, double Curvature, double Score)>();
        for (int layer = 0; layer < network.Layers.Count; layer++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var stack = new LinearStack(network, [layer]);
            var (_, gradient) = objective.ValueAndGradient(stack);
            double gradientNorm = gradient.norm().item<double>();
            var diagonal = GaussNewtonDiagonal(stack, trainInputs);
            double curvature = diagonal.mean().item<double>();
            double score = curvature > 0 ? gradientNorm / curvature : 0;
            rows.Add((network.LayerNames[layer], gradientNorm, curvature, score));
        }

        double best = rows.Max(r => r.Score);
        int chosen = rows.FindIndex(r => r.Score == best);
        return rows.Select((r, i) => new LayerAttribution(r.Layer, r.GradientNorm, r.Curvature, r.Score, i == chosen)).ToList();
    }

    /// <summary>
    /// Returns the diagonal of the Gauss-Newton matrix of the stack's single chosen layer, flat. Entry (k, j) of the
    /// weight is (1/n) sum over rows of p (1 - p) delta_k^2 h_j^2, and bias k is (1/n) sum of p (1 - p) delta_k^2.
    /// Here delta is the logit's gradient with respect to the layer's output and h is the layer's input.
    /// </summary>
    internal static Tensor GaussNewtonDiagonal(LinearStack stack, Tensor trainInputs)
    {
        using var scope = NewDisposeScope();
        var prefix = stack.Prefix(trainInputs);
        var outputs = new List<Tensor>();
        var layerInputs = new List<Tensor>();
        var logits = stack.Forward(prefix, outputs, layerInputs);
        var delta = autograd.grad([logits.sum()], outputs)[0].detach();
        var probabilities = logits.detach().sigmoid();
        var weighted = delta.pow(2) * (probabilities * (1 - probabilities) / (double)trainInputs.shape[0]).unsqueeze(1);
        var weightDiagonal = weighted.t().matmul(layerInputs[0].pow(2));
        return cat([weightDiagonal.reshape(-1), weighted.sum(dim: 0)]).MoveToOuterDisposeScope();
    }
}
