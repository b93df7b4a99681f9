using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Pipeline;

public sealed record DebiasTimings(double RankingSeconds, double UnlearningSeconds, double RetrainSeconds, double EvaluationSeconds);

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
    int NewtonSteps);

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

    public void Dispose() => UpdatedModel.Dispose();
}
