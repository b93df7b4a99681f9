namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>Metrics measured at one step of a job, for live charts.</summary>
public sealed record LiveMetrics
{
    public int Step { get; init; }

    public double? Accuracy { get; init; }

    public double? DemographicParityDifference { get; init; }

    /// <summary>Bias objective on the objective's rows (the validation split, or with it the training split; see <see cref="ObjectiveRows"/>).</summary>
    public double? BiasObjective { get; init; }

    public double? Loss { get; init; }

    public IReadOnlyDictionary<string, double> SelectionRates { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// One progress report of a job. <see cref="Fraction"/> is the share of the whole job done, in [0, 1].
/// Phases: loading, training, ranking, unlearning, evaluating, retraining.
/// </summary>
public sealed record ProgressUpdate(string Phase, double Fraction, string Message, LiveMetrics? Metrics = null);
