using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Unlearning;

namespace UnlearnDashboard.Engine.Comparison;

/// <summary>
/// Two versions of one model evaluated on the same rows: their reports, the change of every metric with a
/// paired bootstrap interval, four-fifths impact ratios, the decisions that flipped, the per-layer weight
/// change and the training rows one removed and the other did not.
/// </summary>
public sealed record VersionComparison
{
    public required FairnessReport Baseline { get; init; }

    public required FairnessReport Candidate { get; init; }

    /// <summary>Every group metric and gap, with candidate minus baseline and its interval.</summary>
    public required IReadOnlyList<MetricDelta> Metrics { get; init; }

    /// <summary>Selection rate of each group over the highest group's rate, for both versions.</summary>
    public required IReadOnlyList<GroupImpact> Impacts { get; init; }

    /// <summary>Rows whose decision differs between the versions, by group.</summary>
    public required IReadOnlyList<DecisionFlips> Flips { get; init; }

    /// <summary>Up to the requested number of flipped rows, largest change in probability first.</summary>
    public required IReadOnlyList<FlippedRow> FlippedExamples { get; init; }

    /// <summary>Change of every layer from baseline to candidate; empty when the architectures differ.</summary>
    public required IReadOnlyList<LayerChange> LayerChanges { get; init; }

    /// <summary>Why <see cref="LayerChanges"/> is empty, or null.</summary>
    public string? LayerChangesUnavailable { get; init; }

    /// <summary>Training rows removed in the candidate's lineage and not in the baseline's.</summary>
    public required RemovedSampleSummary Removed { get; init; }

    /// <summary>Resamples, seed and level of the intervals.</summary>
    public required BootstrapOptions Bootstrap { get; init; }
}

/// <summary>
/// One metric of both versions. <see cref="Group"/> is null for a gap or ratio of the whole split. The delta
/// is candidate minus baseline. Its bounds come from resampling rows once for both versions, so they
/// reflect the change itself rather than two independent intervals. Null values are undefined and
/// <see cref="UndefinedReason"/> says why.
/// </summary>
public sealed record MetricDelta(
    string Metric,
    string? Group,
    double? Baseline,
    double? Candidate,
    double? Delta,
    double? DeltaLower,
    double? DeltaUpper,
    string? UndefinedReason);

/// <summary>
/// A group's selection rate over the highest group's selection rate, the ratio the four-fifths rule
/// compares with 0.8. Null when the highest rate is 0.
/// </summary>
public sealed record GroupImpact(string Group, long Count, double? BaselineRatio, double? CandidateRatio)
{
    /// <summary>The four-fifths rule's threshold.</summary>
    public const double FourFifths = 0.8;

    public bool BaselineBelowFourFifths => BaselineRatio < FourFifths;

    public bool CandidateBelowFourFifths => CandidateRatio < FourFifths;
}

/// <summary>Decision changes in one group: rows now favourable that were not, and the reverse.</summary>
public sealed record DecisionFlips(string Group, long Count, long NowFavourable, long NowUnfavourable)
{
    public long Flipped => NowFavourable + NowUnfavourable;
}

/// <summary>A row whose decision flipped, with both probabilities and its raw feature values.</summary>
public sealed record FlippedRow(
    long RowId,
    string Group,
    bool Label,
    bool BaselineDecision,
    bool CandidateDecision,
    double BaselineProbability,
    double CandidateProbability,
    IReadOnlyDictionary<string, string> Features);

/// <summary>Removed training rows of one (group, label) cell next to the cell's size in the training split.</summary>
public sealed record RemovedCell(string Group, float Label, int RemovedCount, int TrainCount);

/// <summary>
/// Training rows the candidate's lineage removed and the baseline's did not, by group and label. Restored rows
/// are the reverse: removed for the baseline and present in the candidate, as when comparing a child with its
/// parent the other way round. Rows that are not in the training split are counted as unmatched.
/// </summary>
public sealed record RemovedSampleSummary(int Count, int RestoredCount, int UnmatchedCount, IReadOnlyList<RemovedCell> Cells);
