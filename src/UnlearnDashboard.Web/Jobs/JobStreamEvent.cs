using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>Kind of a job event: progress, the result, or the end of a job that did not succeed.</summary>
public enum JobEventKind
{
    Progress,
    Result,
    Ended,
}

/// <summary>
/// One event of a job as the jobs hub sends it. It mirrors the compute server's JobEvent, except that a debias
/// result leaves out the removed row ids, which can run to megabytes.
/// </summary>
public sealed record JobStreamEvent
{
    public string JobId { get; init; } = "";

    /// <summary>1, 2, 3, ... within a job, with no gaps.</summary>
    public long Sequence { get; init; }

    public DateTimeOffset Time { get; init; }

    public JobEventKind Kind { get; init; }

    /// <summary>Phase of a progress event, for example "ranking".</summary>
    public string? Phase { get; init; }

    /// <summary>Fraction of the whole job done, in [0, 1]; 1 for the result.</summary>
    public double Fraction { get; init; }

    /// <summary>Progress message, or the reason a job ended without success.</summary>
    public string? Message { get; init; }

    public StepMetrics? Metrics { get; init; }

    public JobOutcome? Result { get; init; }

    /// <summary>Final state of an <see cref="JobEventKind.Ended"/> event, for example "Cancelled".</summary>
    public string? EndedState { get; init; }

    public bool IsFinal => Kind is JobEventKind.Result or JobEventKind.Ended;
}

/// <summary>Metrics measured at one step of a job; a metric is null when the phase does not produce it.</summary>
public sealed record StepMetrics
{
    public int Step { get; init; }

    public double? Accuracy { get; init; }

    public double? DemographicParityDifference { get; init; }

    public double? BiasObjective { get; init; }

    public double? Loss { get; init; }

    public IReadOnlyDictionary<string, double> SelectionRates { get; init; } = new Dictionary<string, double>();
}

/// <summary>Result of a succeeded job: a debias or erasure result, or the test report of a trained model.</summary>
public sealed record JobOutcome
{
    public FairnessSummary? Before { get; init; }

    public FairnessSummary? After { get; init; }

    /// <summary>Set when the request asked to compare with a retrain.</summary>
    public FairnessSummary? Retrain { get; init; }

    /// <summary>Test report of a training job's new version.</summary>
    public FairnessSummary? Trained { get; init; }

    public long RemovedSampleCount { get; init; }

    public string NewVersionId { get; init; } = "";

    public string BaseVersionId { get; init; } = "";

    /// <summary>Seconds spent ranking, unlearning, retraining and evaluating (a debias job), or training.</summary>
    public double RankingSeconds { get; init; }

    public double UnlearningSeconds { get; init; }

    public double RetrainSeconds { get; init; }

    /// <summary>How many times faster the ranking and the update ran than the retrain; null without a retrain.</summary>
    public double? RetrainSpeedUp { get; init; }

    public double EvaluationSeconds { get; init; }

    public double TrainingSeconds { get; init; }

    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>What a reviewer must not miss in a debias result, such as a gap that rose or maps nobody reviewed.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public double? Damping { get; init; }

    public double? ObjectiveBefore { get; init; }

    public double? ObjectivePredicted { get; init; }

    public double? ObjectiveAfter { get; init; }

    /// <summary>What backs a debias result; null for other jobs and when the compute server sent none.</summary>
    public EvidenceSummary? Evidence { get; init; }

    /// <summary>Id of an erasure job's certificate; empty for other jobs.</summary>
    public string ErasureId { get; init; } = "";

    /// <summary>Rows an erasure named, and those of them that were in the training split.</summary>
    public long ErasedRowCount { get; init; }

    public long TrainedRowCount { get; init; }

    /// <summary>Whether an erasure's membership-inference check passed, and its rule with the numbers.</summary>
    public bool VerificationPassed { get; init; }

    public string VerificationMessage { get; init; } = "";
}
