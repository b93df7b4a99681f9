using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// What backs a debias run's result: the comparisons that show whether the change is real, fair in the right
/// way, better than the usual mitigations and more than chance, and whether the removed samples are forgotten.
/// A part that was not requested is null.
/// </summary>
public sealed record DebiasEvidence
{
    /// <summary>Retrain without the removed samples; null unless requested.</summary>
    public RetrainEvidence? Retrain { get; init; }

    /// <summary>Kamiran-Calders reweighing baseline; null unless requested.</summary>
    public ReweighingResult? Reweighing { get; init; }

    /// <summary>Per-group threshold baseline; null unless requested.</summary>
    public GroupThresholdResult? GroupThresholds { get; init; }

    /// <summary>The same update on random removal sets of the same size; null unless requested.</summary>
    public RandomControlResult? RandomControl { get; init; }

    /// <summary>Spread of the base model's metrics over other training seeds; null unless requested.</summary>
    public SeedBandResult? SeedBand { get; init; }

    /// <summary>Whether the bias fell mainly because the favoured group's rates fell.</summary>
    public required LevellingDownResult LevellingDown { get; init; }

    /// <summary>Membership-inference AUC on the removed samples; null unless requested.</summary>
    public MembershipInferenceResult? MembershipInference { get; init; }

    /// <summary>Wall-clock seconds of each part that ran.</summary>
    public required EvidenceTimings Timings { get; init; }

    /// <summary>Requested parts that could not run, each with the reason, for example a method that removes no samples.</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];
}

/// <summary>Seconds spent on each evidence part; 0 for a part that did not run.</summary>
/// <param name="RetrainSeconds">The timed retrain without the removed samples, after its warm-up.</param>
/// <param name="ReweighingSeconds">The reweighed retrain.</param>
/// <param name="GroupThresholdsSeconds">Choosing and applying the per-group thresholds.</param>
/// <param name="RandomControlSeconds">All random-removal updates and their evaluation.</param>
/// <param name="SeedBandSeconds">Training the other seeds, or reading them from the cache.</param>
/// <param name="MembershipInferenceSeconds">Losses and AUCs of every attacked model.</param>
/// <param name="DistanceSeconds">Prediction agreement and parameter distances.</param>
/// <param name="WarmUpSeconds">The short warm-up training that runs first and is left out of every other timing.</param>
public sealed record EvidenceTimings(
    double RetrainSeconds,
    double ReweighingSeconds,
    double GroupThresholdsSeconds,
    double RandomControlSeconds,
    double SeedBandSeconds,
    double MembershipInferenceSeconds,
    double DistanceSeconds,
    double WarmUpSeconds);

/// <summary>A retrain from scratch without the removed samples, and how far the updated model is from it.</summary>
/// <param name="Report">Fairness of the retrained model on the test split.</param>
/// <param name="TrainingSeconds">Time of the retrain, measured after a warm-up in the same process.</param>
/// <param name="UpdatedToRetrained">Distance from the updated model to the retrained one.</param>
/// <param name="BaseToRetrained">Distance from the base model to the retrained one, as the scale to judge the first by.</param>
public sealed record RetrainEvidence(
    FairnessReport Report,
    double TrainingSeconds,
    ModelDistance UpdatedToRetrained,
    ModelDistance BaseToRetrained);

/// <summary>How close two models are on the test split and in parameter space.</summary>
/// <param name="PredictionAgreement">Share of test rows on which both models make the same decision (logit &gt; 0).</param>
/// <param name="Layers">Euclidean distance of each layer's weights and bias together.</param>
/// <param name="Total">Euclidean distance over all parameters.</param>
public sealed record ModelDistance(double PredictionAgreement, IReadOnlyList<LayerDistance> Layers, double Total);

/// <summary>Euclidean (L2) distance between one layer's parameters in two models.</summary>
/// <param name="Layer">Layer name, for example <c>fc3</c>.</param>
/// <param name="Distance">L2 norm of the difference of weight and bias, taken together.</param>
public sealed record LayerDistance(string Layer, double Distance);

/// <summary>One cell of the Kamiran-Calders weight table.</summary>
/// <param name="Group">Sensitive group.</param>
/// <param name="Label">True for the favourable label.</param>
/// <param name="Count">Training rows in the cell.</param>
/// <param name="Weight">P(group) P(label) / P(group, label) over the training split.</param>
public sealed record ReweighingWeight(string Group, bool Label, long Count, double Weight);

/// <summary>A retrain with Kamiran-Calders sample weights on the full training split, same settings and seed.</summary>
/// <param name="Weights">The weight of each (group, label) cell.</param>
/// <param name="Report">Fairness of the reweighed model on the test split.</param>
/// <param name="TrainingSeconds">Time of the reweighed training.</param>
public sealed record ReweighingResult(IReadOnlyList<ReweighingWeight> Weights, FairnessReport Report, double TrainingSeconds);

/// <summary>One group's decision threshold of the post-processing baseline.</summary>
/// <param name="Group">Sensitive group.</param>
/// <param name="Probability">A row of the group is predicted positive when its probability is &gt; this value.</param>
/// <param name="ValidationSelectionRate">The group's selection rate on the validation split with this threshold.</param>
public sealed record GroupThreshold(string Group, double Probability, double ValidationSelectionRate);

/// <summary>
/// The per-group threshold baseline: thresholds chosen on the validation split to equalise selection rates at
/// the base model's overall validation selection rate, applied to the test split. It reads the sensitive
/// attribute at prediction time, unlike the updated model.
/// </summary>
/// <param name="Rule">The selection rule in words.</param>
/// <param name="TargetSelectionRate">The base model's overall selection rate on the validation split.</param>
/// <param name="Thresholds">One threshold per group.</param>
/// <param name="Report">Fairness of the thresholded decisions on the test split.</param>
public sealed record GroupThresholdResult(
    string Rule,
    double TargetSelectionRate,
    IReadOnlyList<GroupThreshold> Thresholds,
    FairnessReport Report);

/// <summary>Headline metrics of one model on the test split; null where undefined.</summary>
/// <param name="Accuracy">Share of correct decisions.</param>
/// <param name="DemographicParityDifference">Largest minus smallest selection rate.</param>
/// <param name="EqualizedOddsDifference">Larger of the TPR and FPR gaps.</param>
public sealed record HeadlineMetrics(double? Accuracy, double? DemographicParityDifference, double? EqualizedOddsDifference)
{
    /// <summary>Takes the headline metrics of a report.</summary>
    public static HeadlineMetrics Of(FairnessReport report) =>
        new(report.Accuracy, report.DemographicParityDifference, report.EqualizedOddsDifference);
}

/// <summary>
/// The run's update applied to random removal sets of the same size. If the targeted removal does no better
/// than these, the chosen samples do not matter.
/// </summary>
/// <param name="RemovedCount">Size of each random set, equal to the run's.</param>
/// <param name="Draws">Test metrics after each random removal, in seed order.</param>
/// <param name="Mean">Mean over the draws of each metric, over the draws where it is defined.</param>
/// <param name="Targeted">The run's own metrics after the update.</param>
public sealed record RandomControlResult(int RemovedCount, IReadOnlyList<HeadlineMetrics> Draws, HeadlineMetrics Mean, HeadlineMetrics Targeted);

/// <summary>Spread of one metric over training seeds: mean plus or minus 2 sample standard deviations.</summary>
/// <param name="Metric">accuracy, demographic_parity_difference or equalized_odds_difference.</param>
/// <param name="Values">The metric for each other seed; null where undefined.</param>
/// <param name="Mean">Mean of the defined values; null with fewer than 2.</param>
/// <param name="StandardDeviation">Sample standard deviation (n - 1) of the defined values.</param>
/// <param name="Lower">Mean minus 2 standard deviations.</param>
/// <param name="Upper">Mean plus 2 standard deviations.</param>
/// <param name="Result">The updated model's value.</param>
/// <param name="OutsideBand">Whether the updated model's value lies outside [Lower, Upper]; null when either is undefined.</param>
public sealed record SeedBandMetric(
    string Metric,
    IReadOnlyList<double?> Values,
    double? Mean,
    double? StandardDeviation,
    double? Lower,
    double? Upper,
    double? Result,
    bool? OutsideBand);

/// <summary>The seed-noise band of the base model and where the run's result lies in it.</summary>
/// <param name="Seeds">The training seeds used, none of them the base model's.</param>
/// <param name="Metrics">One band per headline metric.</param>
/// <param name="FromCache">True when the trainings were reused from an earlier run.</param>
public sealed record SeedBandResult(IReadOnlyList<int> Seeds, IReadOnlyList<SeedBandMetric> Metrics, bool FromCache);

/// <summary>Change of one group's rate between the base and the updated model.</summary>
/// <param name="Group">Sensitive group.</param>
/// <param name="Before">The rate before; null where undefined.</param>
/// <param name="After">The rate after; null where undefined.</param>
public sealed record GroupRateChange(string Group, double? Before, double? After)
{
    /// <summary>After minus before; null when either is undefined.</summary>
    public double? Change => Before is { } b && After is { } a ? a - b : null;
}

/// <summary>Levelling-down analysis of one rate (selection rate or TPR).</summary>
/// <param name="Rate">selection_rate or true_positive_rate.</param>
/// <param name="Groups">Each group's rate before and after.</param>
/// <param name="FavouredGroup">The group with the highest rate before; null when a rate is undefined.</param>
/// <param name="GapBefore">Max minus min rate before.</param>
/// <param name="GapAfter">Max minus min rate after.</param>
/// <param name="FavouredDrop">How far the favoured group's rate fell (before minus after, at least 0).</param>
/// <param name="LowestGroup">The group with the lowest rate before; null when a rate is undefined.</param>
/// <param name="LowestRise">How far the lowest group's rate rose (after minus before; negative when it fell).</param>
/// <param name="LevelledDown">Whether the gap fell mainly because the favoured group's rate fell (see <see cref="LevellingDownResult.Rule"/>).</param>
/// <param name="AnyGroupFell">Whether any group's rate fell, the favoured group's included.</param>
public sealed record LevellingDownRate(
    string Rate,
    IReadOnlyList<GroupRateChange> Groups,
    string? FavouredGroup,
    double? GapBefore,
    double? GapAfter,
    double? FavouredDrop,
    string? LowestGroup,
    double? LowestRise,
    bool LevelledDown,
    bool AnyGroupFell);

/// <summary>Whether the run reduced bias by lowering the favoured group's rates rather than raising the others'.</summary>
/// <param name="Rule">The flag rule in words.</param>
/// <param name="SelectionRate">Analysis of the selection rates (demographic parity).</param>
/// <param name="TruePositiveRate">Analysis of the true positive rates (equal opportunity).</param>
public sealed record LevellingDownResult(string Rule, LevellingDownRate SelectionRate, LevellingDownRate TruePositiveRate)
{
    /// <summary>True when either rate is flagged.</summary>
    public bool Flagged => SelectionRate.LevelledDown || TruePositiveRate.LevelledDown;
}

/// <summary>Membership-inference AUC of one model.</summary>
/// <param name="Model">base, updated or retrained.</param>
/// <param name="Auc">P(loss of a removed sample &lt; loss of a non-member), ties counted half; null when either side is empty.</param>
public sealed record MembershipAuc(string Model, double? Auc);

/// <summary>
/// A loss-based membership-inference attack: a sample with a lower loss is guessed to be a training member.
/// Members are the removed samples; non-members are test rows drawn to match the members' (group, label)
/// counts. An AUC near 0.5 means the model does not tell the removed samples from unseen ones.
/// NOTE: influence-ranked samples tend to have high loss under any model, so their AUC can sit far below 0.5
/// even for the retrained model, which never saw them (about 0.16 on Adult). Judge the updated model's AUC
/// against the retrained model's, not against 0.5.
/// </summary>
/// <param name="MemberCount">Removed samples attacked.</param>
/// <param name="NonMemberCount">Matched test rows; fewer than the members when a (group, label) cell of the test split runs out.</param>
/// <param name="Models">AUC of each attacked model.</param>
public sealed record MembershipInferenceResult(int MemberCount, int NonMemberCount, IReadOnlyList<MembershipAuc> Models);
