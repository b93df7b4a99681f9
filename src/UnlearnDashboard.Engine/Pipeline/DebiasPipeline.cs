using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>Settings of a bias-removal run.</summary>
public sealed record DebiasOptions
{
    /// <summary>Fraction of training samples to remove, in (0, 0.5].</summary>
    public double RemoveFraction { get; init; } = 0.05;

    /// <summary>Linear layers to change, for example ["fc3"]; empty means the last layer.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>Damping lambda added to the Hessian's diagonal.</summary>
    public double Damping { get; init; } = 0.01;

    /// <summary>Also retrain from scratch without the removed samples, for comparison.</summary>
    public bool CompareRetrain { get; init; }

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(RemoveFraction > 0 && RemoveFraction <= 0.5))
        {
            throw EngineException.Invalid("remove_fraction",
                $"remove_fraction must be in (0, 0.5]; got {RemoveFraction:R}.", RemoveFraction.ToString("R"));
        }

        if (!(Damping >= 0 && double.IsFinite(Damping)))
            throw EngineException.Invalid("damping", $"damping must be a finite number >= 0; got {Damping:R}.", Damping.ToString("R"));
    }
}

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
    double ObjectiveAfter);

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

/// <summary>
/// Influence ranking followed by Newton removal of the most harmful training samples on the chosen layers,
/// with fairness before and after on the test split and, on request, a retrain without those samples.
/// </summary>
public static partial class DebiasPipeline
{
    public static DebiasOutcome Run(
        TrainedModel model,
        PreparedDataset data,
        DebiasOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        throw new NotImplementedException();
    }
}
