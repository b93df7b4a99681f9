namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// What backs a debias run's result, as the job page shows and the jobs hub sends it. A part that the run did
/// not compute is null or empty, and <see cref="Skipped"/> gives the reason for each requested part that could not run.
/// </summary>
public sealed record EvidenceSummary
{
    /// <summary>Test-split metrics of the updated model.</summary>
    public HeadlineSummary? Update { get; init; }

    /// <summary>A retrain from scratch without the removed samples.</summary>
    public HeadlineSummary? Retrain { get; init; }

    /// <summary>A Kamiran-Calders reweighed retrain on the full training split.</summary>
    public HeadlineSummary? Reweighing { get; init; }

    /// <summary>The base model with per-group decision thresholds, which read the sensitive attribute at prediction time.</summary>
    public HeadlineSummary? GroupThresholds { get; init; }

    /// <summary>Mean over the random-removal draws, each the run's update on a random set of the run's size.</summary>
    public HeadlineSummary? RandomControlMean { get; init; }

    public int RandomDrawCount { get; init; }

    /// <summary>Distance from the updated model to the retrained one, or null without a retrain.</summary>
    public ModelDistanceSummary? UpdatedToRetrained { get; init; }

    /// <summary>Distance from the base model to the retrained one, the scale for <see cref="UpdatedToRetrained"/>.</summary>
    public ModelDistanceSummary? BaseToRetrained { get; init; }

    /// <summary>One band per headline metric, or empty when the seed band did not run.</summary>
    public IReadOnlyList<SeedBandSummary> SeedBand { get; init; } = [];

    /// <summary>Training seeds behind <see cref="SeedBand"/>.</summary>
    public int SeedBandSeedCount { get; init; }

    public LevellingDownSummary? LevellingDown { get; init; }

    public MembershipSummary? Membership { get; init; }

    public IReadOnlyList<string> Skipped { get; init; } = [];
}

/// <summary>Test-split accuracy, DP difference and EO difference, each null when undefined.</summary>
public sealed record HeadlineSummary(double? Accuracy, double? DemographicParityDifference, double? EqualizedOddsDifference);

/// <summary>How far apart two models are: L2 distance over all parameters, and the share of test rows with the same decision.</summary>
public sealed record ModelDistanceSummary(double ParameterL2, double PredictionAgreement);

/// <summary>
/// Spread of one metric over training seeds: mean plus or minus 2 sample standard deviations, and the updated
/// model's value. <see cref="OutsideBand"/> is null when the band or the value is undefined.
/// </summary>
public sealed record SeedBandSummary(
    string Metric,
    double? Mean,
    double? StandardDeviation,
    double? Lower,
    double? Upper,
    double? Result,
    bool? OutsideBand);

/// <summary>Whether the update narrowed a gap mainly by lowering the favoured group's rate, with the rule in words.</summary>
public sealed record LevellingDownSummary(bool Flagged, string Rule, IReadOnlyList<LevellingDownRateSummary> Rates);

/// <summary>
/// The levelling-down check of one rate (<c>selection_rate</c> or <c>true_positive_rate</c>). The numbers are null
/// when a group's rate is undefined, and the rate was then not checked.
/// </summary>
public sealed record LevellingDownRateSummary
{
    public string Rate { get; init; } = "";

    public bool LevelledDown { get; init; }

    /// <summary>The group with the highest rate before the update.</summary>
    public string FavouredGroup { get; init; } = "";

    /// <summary>The group with the lowest rate before the update.</summary>
    public string LowestGroup { get; init; } = "";

    /// <summary>Max minus min rate over the groups before and after.</summary>
    public double? GapBefore { get; init; }

    public double? GapAfter { get; init; }

    /// <summary>How far the favoured group's rate fell, at least 0.</summary>
    public double? FavouredDrop { get; init; }

    /// <summary>The favoured group's rate after minus before: negative when it fell, positive when it rose.</summary>
    public double? FavouredChange { get; init; }

    /// <summary>How far the lowest group's rate rose, negative when it fell.</summary>
    public double? LowestRise { get; init; }

    public bool IsChecked => GapBefore is not null && GapAfter is not null && FavouredChange is not null && LowestRise is not null;
}

/// <summary>A loss-based membership-inference attack on the removed samples against matched test rows.</summary>
public sealed record MembershipSummary(int MemberCount, int NonMemberCount, IReadOnlyList<MembershipAucSummary> Models);

/// <summary>The attack's AUC against one model (base, updated or retrained), or null when undefined.</summary>
public sealed record MembershipAucSummary(string Model, double? Auc);
