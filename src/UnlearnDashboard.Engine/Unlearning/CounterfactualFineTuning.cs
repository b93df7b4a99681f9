using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;

namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>Fine-tuning of the chosen layers against the counterfactual gap on an approved counterfactual set.</summary>
public static class CounterfactualFineTuning
{
    /// <summary>
    /// Data-free unlearning: returns a copy of <paramref name="model"/> whose chosen layers
    /// (<see cref="DebiasOptions.Layers"/>) were fine-tuned for <see cref="DebiasOptions.Steps"/> steps on
    /// mu times the counterfactual gap mean |f(x) - f(x_cf)| plus <see cref="DebiasOptions.DistillationWeight"/>
    /// times the binary cross-entropy between the copy's and the original model's outputs on the set's original
    /// rows. Needs no training rows. Throws <see cref="EngineException"/> (failed precondition, field
    /// <c>counterfactual_set</c>) when the options do not mark the set approved.
    /// </summary>
    public static TrainedModel RunDataFree(
        TrainedModel model,
        CounterfactualSet set,
        DebiasOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken) => throw new NotImplementedException();
}
