using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>Checks after an update step that the changed layers' weights, and the model's outputs, are finite.</summary>
internal static class DivergenceCheck
{
    /// <summary>
    /// Throws FAILED_PRECONDITION naming <paramref name="field"/> when a weight or bias of the chosen layers is NaN or
    /// infinite, or when the model's logits on <paramref name="inputs"/> are. Weights can stay finite yet grow so large
    /// that the logits overflow. A diverged update would otherwise fail later, on NaN scores, without naming the
    /// setting to change.
    /// </summary>
    /// <param name="update">The step that ran, as the start of a sentence, for example "Newton step 2 of 3".</param>
    /// <param name="advice">What to change, as a sentence.</param>
    /// <param name="inputsLayer">The layer that <paramref name="inputs"/> enter: 0 for model inputs, or a later layer for activations.</param>
    public static void ThrowIfDiverged(
        TrainedModel model, IEnumerable<int> layers, Tensor? inputs, string field, string value, string update, string advice, int inputsLayer = 0)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var diverged = layers
            .Where(layer => !IsFinite(model.Network.Layers[layer].weight!) || !IsFinite(model.Network.Layers[layer].bias!))
            .Select(layer => model.Network.LayerNames[layer])
            .ToList();
        string? fault = diverged.Count > 0 ? $"weights of {string.Join(", ", diverged)}"
            : inputs is not null && !OutputsFinite(model, inputsLayer, inputs) ? "the model's outputs on the training rows"
            : null;
        if (fault is not null)
        {
            throw EngineException.Precondition(field,
                $"{update} made {fault} NaN or infinite, so the update diverged and no model was kept. {advice}", value);
        }
    }

    private static bool IsFinite(Tensor values) => values.detach().isfinite().all().item<bool>();

    /// <summary>
    /// Runs the model from layer <paramref name="inputsLayer"/> on <paramref name="inputs"/>, in float32 as the model
    /// runs, <see cref="LinearStack.PrefixChunkRows"/> rows at a time, and returns whether every logit is finite.
    /// Float64 activations from a <see cref="LinearStack"/> prefix convert back to float32 exactly, chunk by chunk.
    /// </summary>
    private static bool OutputsFinite(TrainedModel model, int inputsLayer, Tensor inputs)
    {
        long rows = inputs.shape[0];
        for (long start = 0; start < rows; start += LinearStack.PrefixChunkRows)
        {
            using var scope = NewDisposeScope();
            var chunk = inputs.narrow(0, start, Math.Min(LinearStack.PrefixChunkRows, rows - start)).to(float32);
            if (!IsFinite(model.Network.ForwardFrom(inputsLayer, chunk)))
                return false;
        }

        return true;
    }
}
