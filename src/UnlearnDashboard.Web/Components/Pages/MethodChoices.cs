using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>The unlearning methods the wizard offers, each explained in one line.</summary>
public static class MethodChoices
{
    /// <summary>The method the wizard preselects: influence ranking with counterfactual replacement.</summary>
    public const DebiasMethod Recommended = DebiasMethod.CounterfactualReplacement;

    public static IReadOnlyList<MethodChoice> All { get; } =
    [
        new(DebiasMethod.CounterfactualReplacement, "Counterfactual replacement (recommended)",
            "Recommended: ranks training samples by their influence on the bias, then replaces the most harmful ones by their counterfactuals in one Newton step.",
            UsesCounterfactuals: true, NeedsApprovedSet: false),
        new(DebiasMethod.InfluenceNewton, "Influence ranking and Newton removal",
            "Removes the effect of the most harmful training samples with one Newton step; it can lower the favoured group's rates instead of raising the others'.",
            UsesCounterfactuals: false, NeedsApprovedSet: false),
        new(DebiasMethod.GradientAscent, "Gradient ascent on the harmful samples",
            "Ascends the loss on the most harmful samples while descending it on the rest (NegGrad+).",
            UsesCounterfactuals: false, NeedsApprovedSet: false),
        new(DebiasMethod.SaliencyMasked, "Saliency-masked counterfactual replacement",
            "The counterfactual replacement step applied only to the weights most responsible for the bias.",
            UsesCounterfactuals: true, NeedsApprovedSet: false),
        new(DebiasMethod.CounterfactualFineTune, "Counterfactual fine-tuning",
            "Fine-tunes the chosen layers on the task loss plus the gap between each approved counterfactual pair's predictions.",
            UsesCounterfactuals: true, NeedsApprovedSet: true),
        new(DebiasMethod.DataFree, "Data-free fine-tuning",
            "Fine-tunes without training rows, for when the data is gone: the gap on an approved counterfactual set plus distillation towards the original model.",
            UsesCounterfactuals: true, NeedsApprovedSet: true),
    ];

    public static MethodChoice Of(DebiasMethod method) => All.First(choice => choice.Method == method);
}

/// <summary>One method: its label, its one-line explanation, and whether it uses or needs a counterfactual set.</summary>
public sealed record MethodChoice(DebiasMethod Method, string Label, string Help, bool UsesCounterfactuals, bool NeedsApprovedSet)
{
    /// <summary>
    /// Whether the method ranks training samples, and so reads the remove fraction and the damping. The compute
    /// server refuses those fields for a method that does not.
    /// </summary>
    public bool RanksSamples => Method is not (DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree);

    /// <summary>Whether the method reads the Newton step count; only influence-newton does.</summary>
    public bool TakesNewtonSteps => Method == DebiasMethod.InfluenceNewton;
}
