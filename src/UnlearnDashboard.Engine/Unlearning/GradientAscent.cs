using TorchSharp;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Numerics;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>
/// NegGrad+: Adam on the chosen layers minimising w L(retained batch) - (1 - w) L(harmful batch), so that the
/// model forgets the harmful samples while it keeps fitting the rest. Other layers stay bit-identical.
/// </summary>
internal static class GradientAscent
{
    public static void Run(
        TrainedModel updated,
        IReadOnlyList<int> layers,
        Tensor retainedInputs,
        Tensor retainedLabels,
        Tensor harmfulInputs,
        Tensor harmfulLabels,
        DebiasOptions options,
        StepMetrics metrics,
        CancellationToken cancellationToken)
    {
        var network = updated.Network;
        var parameters = layers.SelectMany(i => new[] { network.Layers[i].weight!, network.Layers[i].bias! }).ToList();
        using var optimizer = new AdamOptimizer(parameters, options.LearningRate);
        using var retainWeight = options.RetainWeight.ToScalar();
        using var forgetWeight = (options.RetainWeight - 1).ToScalar();
        var random = new Random(options.Seed);
        network.eval();

        for (int step = 1; step <= options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double loss;
            using (var scope = NewDisposeScope())
            {
                var retained = SampleRows(random, retainedInputs.shape[0], options.BatchSize);
                var harmful = SampleRows(random, harmfulInputs.shape[0], options.BatchSize);
                var retainLoss = nn.functional.binary_cross_entropy_with_logits(
                    network.forward(retainedInputs.index_select(0, retained)), retainedLabels.index_select(0, retained));
                var forgetLoss = nn.functional.binary_cross_entropy_with_logits(
                    network.forward(harmfulInputs.index_select(0, harmful)), harmfulLabels.index_select(0, harmful));
                var total = retainLoss.mul(retainWeight).add_(forgetLoss, forgetWeight);
                optimizer.ZeroGrad();
                total.backward();
                optimizer.Step();
                loss = total.item<float>();
            }

            DivergenceCheck.ThrowIfDiverged(updated, layers, null, "learning_rate", options.LearningRate.ToString("R"),
                $"Gradient ascent step {step} of {options.Steps} at learning rate {options.LearningRate:G3}", "Use a smaller learning_rate, or fewer steps.");

            metrics.Report(step, options.Steps, loss, 0.45, 0.5, "unlearning");
        }

        optimizer.ZeroGrad();
    }

    /// <summary>Draws min(batch, rows) row positions with replacement; System.Random keeps them a function of the seed alone.</summary>
    private static Tensor SampleRows(Random random, long rows, int batch) =>
        tensor(Enumerable.Range(0, (int)Math.Min(batch, rows)).Select(_ => random.NextInt64(rows)).ToArray());
}
