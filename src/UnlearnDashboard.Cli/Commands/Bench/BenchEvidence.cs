using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary>Reads the baselines and membership-inference AUCs from a debias result's evidence.</summary>
internal static class BenchEvidence
{
    /// <summary>Evidence of the first run on a split: the retrain and every baseline, at the cost of two trainings.</summary>
    public static EvidenceRequest WithBaselines() => new() { Retrain = true, Reweighing = true, GroupThresholds = true, RandomControl = true };

    /// <summary>Evidence of the other runs: membership inference only, since the baselines do not depend on the method.</summary>
    public static EvidenceRequest MembershipOnly() => new() { GroupThresholds = false, RandomControl = false, MembershipInference = true };

    /// <summary>Returns the AUC of the attack on one model ("base", "updated" or "retrained"), or null.</summary>
    public static double? Auc(DebiasResult result, string model) =>
        result.Evidence?.MembershipInference?.Models.FirstOrDefault(m => m.Model == model) is { HasAuc: true } auc ? auc.Auc : null;

    /// <summary>
    /// Returns the retrain, reweighing, per-group threshold and random-control rows of a run with
    /// <see cref="WithBaselines"/>. Their seconds are the baseline's own cost: a training, or for the
    /// thresholds and the random control the time of that part (per draw for the control).
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

        if (evidence.RandomControl is { } control && control.Draws.Count > 0)
        {
            var mean = control.Mean;
            yield return new BenchMeasurement(
                "random control",
                mean.HasAccuracy ? mean.Accuracy : null,
                mean.HasDemographicParityDifference ? mean.DemographicParityDifference : null,
                mean.HasEqualizedOddsDifference ? mean.EqualizedOddsDifference : null,
                new Dictionary<string, double>(),
                null,
                evidence.Timings.RandomControlSeconds / control.Draws.Count,
                retrainSeconds);
        }
    }
}
