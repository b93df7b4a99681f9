using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary>Reads the baselines and membership-inference AUCs from a debias result's evidence.</summary>
internal static class BenchEvidence
{
    /// <summary>
    /// Evidence of the first run on a split: the retrain and every baseline, at the cost of two trainings, and what
    /// every run gets (<see cref="PerMethod"/>). The seed band costs 5 more trainings on the first run only,
    /// because the server caches them per model.
    /// </summary>
    public static EvidenceRequest WithBaselines() => new()
    {
        Retrain = true, Reweighing = true, GroupThresholds = true, RandomControl = true, SeedBand = true, MembershipInference = true,
    };

    /// <summary>
    /// Evidence of every other run: its own random control and its position against the seed band, and membership
    /// inference. The retrain and the baselines do not depend on the method, so they are not repeated.
    /// </summary>
    public static EvidenceRequest PerMethod() => new()
    {
        GroupThresholds = false, RandomControl = true, SeedBand = true, MembershipInference = true,
    };

    /// <summary>Returns the mean metrics of the run's random control, or null when it did not run (no samples removed).</summary>
    public static HeadlineMetrics? ControlMean(DebiasResult result) =>
        result.Evidence?.RandomControl is { Draws.Count: > 0 } control ? control.Mean : null;

    /// <summary>Returns the short names (accuracy, DP, EO) of the metrics the run moved outside the seed band, or null without a band.</summary>
    public static IReadOnlyList<string>? OutsideSeedBand(DebiasResult result)
    {
        if (result.Evidence?.SeedBand is not { Metrics.Count: > 0 } band)
            return null;

        return band.Metrics.Where(m => m.HasOutsideBand && m.OutsideBand).Select(m => ShortName(m.Metric)).ToList();
    }

    /// <summary>Returns the seed band of each metric as (short name, mean, 2 standard deviations); metrics without a band are left out.</summary>
    public static IReadOnlyList<BenchBand> SeedBand(DebiasResult result) =>
        result.Evidence?.SeedBand is { } band
            ? band.Metrics.Where(m => m.HasMean && m.HasStandardDeviation)
                .Select(m => new BenchBand(ShortName(m.Metric), m.Mean, 2 * m.StandardDeviation)).ToList()
            : [];

    private static string ShortName(string metric) => metric switch
    {
        "demographic_parity_difference" => "DP",
        "equalized_odds_difference" => "EO",
        _ => metric,
    };

    /// <summary>Returns the AUC of the attack on one model ("base", "updated" or "retrained"), or null.</summary>
    public static double? Auc(DebiasResult result, string model) =>
        result.Evidence?.MembershipInference?.Models.FirstOrDefault(m => m.Model == model) is { HasAuc: true } auc ? auc.Auc : null;

    /// <summary>
    /// Returns the retrain, reweighing and per-group threshold rows of a run with <see cref="WithBaselines"/>.
    /// Their seconds are the baseline's own cost: a training, or for the thresholds the time of that part.
    /// </summary>
    public static IEnumerable<BenchMeasurement> Baselines(DebiasResult result)
    {
        if (result.Evidence is not { } evidence)
            yield break;

        double? retrainSeconds = evidence.Retrain?.TrainingSeconds;
        if (evidence.Retrain is { } retrain)
            yield return BenchMeasurement.FromReport("retrain", retrain.Report, Auc(result, "retrained"), retrain.TrainingSeconds, retrainSeconds);
        if (evidence.Reweighing is { } reweighing)
            yield return BenchMeasurement.FromReport("reweighing", reweighing.Report, null, reweighing.TrainingSeconds, retrainSeconds);
        if (evidence.GroupThresholds is { } thresholds)
        {
            yield return BenchMeasurement.FromReport("group thresholds", thresholds.Report, null,
                evidence.Timings.GroupThresholdsSeconds, retrainSeconds);
        }
    }
}
