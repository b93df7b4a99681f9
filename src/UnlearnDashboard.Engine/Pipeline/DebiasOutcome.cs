using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Unlearning;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>Wall-clock seconds of a run's parts; <see cref="RetrainSeconds"/> is 0 without a retrain.</summary>
public sealed record DebiasTimings(double RankingSeconds, double UnlearningSeconds, double RetrainSeconds, double EvaluationSeconds)
{
    /// <summary>
    /// How many times faster the ranking and the update together ran than the retrain, the speed the product promises;
    /// null without a retrain. Evaluation is left out on both sides, because the retrain's own evaluation is not timed.
    /// </summary>
    public double? RetrainSpeedUp =>
        RetrainSeconds > 0 && RankingSeconds + UnlearningSeconds > 0 ? RetrainSeconds / (RankingSeconds + UnlearningSeconds) : null;
}

/// <summary>How the influence ranking was computed and what it predicted.</summary>
public sealed record InfluenceSummary(
    IReadOnlyList<string> Layers,
    long ParameterCount,
    double Damping,
    int SolverIterations,
    double SolverResidual,
    double ObjectiveBefore,
    double ObjectivePredicted,
    double ObjectiveAfter,
    int NewtonSteps)
{
    /// <summary>Whether <see cref="Damping"/> was chosen by the damping rule rather than set by the request.</summary>
    public bool DampingChosenByRule { get; init; }

    /// <summary>
    /// Curvature used by the solve, <see cref="CurvatureKind.Hessian"/> or <see cref="CurvatureKind.GaussNewton"/>; null
    /// for a method that ranks nothing and so solves nothing.
    /// </summary>
    public CurvatureKind? Curvature { get; init; }

    /// <summary>Solver used; null for a method that ranks nothing.</summary>
    public InfluenceSolverKind? Solver { get; init; }

    /// <summary>Bias objective of the ranking.</summary>
    public BiasObjectiveKind Objective { get; init; }

    /// <summary>Rows the objective was measured on (the counterfactual gap uses the counterfactual set instead).</summary>
    public ObjectiveRows ObjectiveRows { get; init; }

    /// <summary>How many rows <see cref="ObjectiveRows"/> holds.</summary>
    public int ObjectiveRowCount { get; init; }
}

/// <summary>Result of a bias-removal run; owns the updated model.</summary>
public sealed class DebiasOutcome : IDisposable
{
    public required FairnessReport Before { get; init; }

    public required FairnessReport After { get; init; }

    public FairnessReport? Retrain { get; init; }

    /// <summary>Row ids of the removed training samples, most harmful first.</summary>
    public required long[] RemovedRowIds { get; init; }

    public required TrainedModel UpdatedModel { get; init; }

    public required DebiasTimings Timings { get; init; }

    public required InfluenceSummary Influence { get; init; }

    /// <summary>Method that produced <see cref="UpdatedModel"/>.</summary>
    public DebiasMethod Method { get; init; }

    /// <summary>The top harmful samples and the harmful set by group and label; empty for methods without ranking.</summary>
    public RankingExplanation Explanation { get; init; } = new([], []);

    /// <summary>Weight change of every layer of the model, in layer order.</summary>
    public IReadOnlyList<LayerChange> LayerChanges { get; init; } = [];

    /// <summary>Per-layer bias attribution, when the layers were chosen automatically; otherwise empty.</summary>
    public IReadOnlyList<LayerAttribution> LayerAttributions { get; init; } = [];

    /// <summary>Share of the chosen layers' parameters that changed, for the saliency-masked update; otherwise null.</summary>
    public double? ChangedParameterFraction { get; init; }

    /// <summary>How the update was held to <see cref="DebiasOptions.MaxAccuracyLoss"/>; null when the request set no budget.</summary>
    public AccuracyBudgetResult? AccuracyBudget { get; init; }

    /// <summary>The value maps the update's counterfactuals were made with; null when the method uses none.</summary>
    public Counterfactuals.CounterfactualSpec? CounterfactualSpec { get; init; }

    /// <summary>The run's evidence: retrain, baselines, controls, seed band and forgetting; null when not requested.</summary>
    public DebiasEvidence? Evidence { get; init; }

    /// <summary>
    /// Plain-language warnings about the result, for example that the bias objective rose or that the updated
    /// model approves nobody; empty when there is nothing to warn about.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public void Dispose() => UpdatedModel.Dispose();
}
