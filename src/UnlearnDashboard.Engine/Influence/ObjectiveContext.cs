using UnlearnDashboard.Engine.Numerics;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// The rows a bias objective is measured on (the validation split or the training and validation splits, and the
/// counterfactual set for the counterfactual gap) and the objective kind, so that B can be evaluated on any
/// <see cref="LinearStack"/>.
/// </summary>
internal sealed class ObjectiveContext : IDisposable
{
    private readonly Tensor _inputs;
    private readonly float[] _labels;
    private readonly int[] _groups;
    private readonly IReadOnlyList<string> _groupNames;
    private readonly Tensor? _originalInputs;
    private readonly Tensor? _counterfactualInputs;

    public ObjectiveContext(
        BiasObjectiveKind kind,
        Tensor validationInputs,
        float[] validationLabels,
        int[] validationGroups,
        IReadOnlyList<string> groupNames,
        Tensor? counterfactualOriginalInputs = null,
        Tensor? counterfactualInputs = null)
    {
        if (kind == BiasObjectiveKind.CounterfactualGap && (counterfactualOriginalInputs is null || counterfactualInputs is null))
            throw EngineException.Precondition("counterfactual_set", "The counterfactual gap objective needs an approved counterfactual set.");

        Kind = kind;
        _inputs = validationInputs;
        _labels = validationLabels;
        _groups = validationGroups;
        _groupNames = groupNames;
        _originalInputs = counterfactualOriginalInputs;
        _counterfactualInputs = counterfactualInputs;
    }

    public BiasObjectiveKind Kind { get; }

    /// <summary>Returns B on the stack's chosen parameters, with its autograd graph.</summary>
    public Tensor Evaluate(LinearStack stack)
    {
        using var scope = NewDisposeScope();
        var objective = Kind switch
        {
            BiasObjectiveKind.DemographicParity =>
                BiasObjectives.SmoothDemographicParityGap(stack.Logits(stack.Prefix(_inputs)), _groups, _groupNames.Count),
            BiasObjectiveKind.EqualizedOdds =>
                BiasObjectives.SmoothEqualizedOddsGap(stack.Logits(stack.Prefix(_inputs)), _labels, _groups, _groupNames),
            BiasObjectiveKind.FalsePositiveRate =>
                BiasObjectives.SmoothFalsePositiveRateGap(stack.Logits(stack.Prefix(_inputs)), _labels, _groups, _groupNames),
            BiasObjectiveKind.ParityAndOdds => ParityAndOdds(stack),
            _ => BiasObjectives.CounterfactualGap(
                stack.Logits(stack.Prefix(_originalInputs!)), stack.Logits(stack.Prefix(_counterfactualInputs!))),
        };
        return objective.MoveToOuterDisposeScope();
    }

    private Tensor ParityAndOdds(LinearStack stack)
    {
        using var scope = NewDisposeScope();
        var logits = stack.Logits(stack.Prefix(_inputs));
        var parity = BiasObjectives.SmoothDemographicParityGap(logits, _groups, _groupNames.Count);
        var truePositive = BiasObjectives.SmoothTruePositiveRateGap(logits, _labels, _groups, _groupNames);
        var falsePositive = BiasObjectives.SmoothFalsePositiveRateGap(logits, _labels, _groups, _groupNames);
        return parity.add(truePositive, Scalars.One).add_(falsePositive, Scalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>Returns B and grad B with respect to the stack's chosen parameters, flat.</summary>
    public (double Value, Tensor Gradient) ValueAndGradient(LinearStack stack)
    {
        using var scope = NewDisposeScope();
        var objective = Evaluate(stack);
        var gradient = LinearStack.Flatten(autograd.grad([objective], stack.Parameters)).detach();
        return (objective.item<double>(), gradient.MoveToOuterDisposeScope());
    }

    /// <summary>Returns B without gradients.</summary>
    public double Value(LinearStack stack)
    {
        using var noGrad = no_grad();
        using var objective = Evaluate(stack);
        return objective.item<double>();
    }

    public void Dispose()
    {
        _originalInputs?.Dispose();
        _counterfactualInputs?.Dispose();
    }
}
