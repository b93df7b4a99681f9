using System.Globalization;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Versions;

/// <summary>Checks a version's test-split report against the rules of a release gate.</summary>
public static class ReleaseGateRules
{
    public const string MinDisparateImpactRatio = "min_disparate_impact_ratio";

    public const string MaxAccuracyDrop = "max_accuracy_drop";

    /// <summary>
    /// The rule, in every gate whatever its thresholds, that no erasure certificate lists the version among the
    /// versions that still carry the erased rows. It also applies to promotion to candidate.
    /// </summary>
    public const string ErasedRows = "erased_rows";

    /// <summary>The gate of a model that has none set: disparate impact ratio at least 0.8 (the four-fifths rule), accuracy drop at most 0.01.</summary>
    public static Proto.ReleaseGate Default(string modelId) => new()
    {
        ModelId = modelId,
        MinDisparateImpactRatio = 0.8,
        MaxAccuracyDrop = 0.01,
        IsDefault = true,
    };

    /// <summary>
    /// Returns one result per rule the gate sets. A value that the report does not contain fails its rule, because
    /// an unmeasured model cannot be shown to pass.
    /// </summary>
    public static IReadOnlyList<Proto.GateRuleResult> Check(Proto.ReleaseGate gate, Proto.FairnessReport candidate, Proto.FairnessReport reference)
    {
        var results = new List<Proto.GateRuleResult>();
        if (gate.HasMinDisparateImpactRatio)
        {
            double threshold = gate.MinDisparateImpactRatio;
            double? ratio = candidate.HasDisparateImpactRatio ? candidate.DisparateImpactRatio : null;
            bool passed = ratio >= threshold;
            results.Add(Result(MinDisparateImpactRatio, threshold, ratio, passed, ratio is null
                ? $"{MinDisparateImpactRatio}: the candidate's disparate impact ratio is not measured, so it cannot be shown to be at least {Format(threshold)}."
                : $"{MinDisparateImpactRatio}: disparate impact ratio {Format(ratio.Value)} {(passed ? ">=" : "<")} {Format(threshold)}."));
        }

        if (gate.HasMaxAccuracyDrop)
        {
            double threshold = gate.MaxAccuracyDrop;
            double? drop = candidate.HasAccuracy && reference.HasAccuracy ? reference.Accuracy - candidate.Accuracy : null;

            // A small tolerance, so that a drop equal to the threshold passes despite rounding in the subtraction.
            bool passed = drop <= threshold + 1e-12;
            results.Add(Result(MaxAccuracyDrop, threshold, drop, passed, drop is null
                ? $"{MaxAccuracyDrop}: the accuracy of the candidate or of the reference is not measured."
                : $"{MaxAccuracyDrop}: accuracy {Format(candidate.Accuracy)} against the reference's {Format(reference.Accuracy)}, a drop of {Format(drop.Value)} {(passed ? "<=" : ">")} {Format(threshold)}."));
        }

        return results;
    }

    /// <summary>
    /// Returns the failed <see cref="ErasedRows"/> result for a version that <paramref name="erasure"/> lists as still
    /// carrying the rows it erased. A verdict has this result only when it fails. <paramref name="newVersionModelId"/> is
    /// the model of the erasure's new version: when it is another model, this model has no version without the rows.
    /// </summary>
    public static Proto.GateRuleResult ErasedRowsFailed(string versionId, string modelId, Proto.ErasureCertificate erasure, string newVersionModelId)
    {
        string next = newVersionModelId == modelId
            ? $"Promote the erasure's version {erasure.NewVersionId}, or a version made from it."
            : $"The erasure's version {erasure.NewVersionId} belongs to model {newVersionModelId}, so model {modelId} has no version "
              + "without the rows. Train one on the purged dataset ('unlearn train' or TrainModel).";
        return new Proto.GateRuleResult
        {
            Rule = ErasedRows,
            Passed = false,
            Message = $"{ErasedRows}: erasure {erasure.Id} lists version {versionId} among the versions that still carry the rows it erased. {next}",
        };
    }

    private static Proto.GateRuleResult Result(string rule, double threshold, double? value, bool passed, string message)
    {
        var result = new Proto.GateRuleResult { Rule = rule, Threshold = threshold, Passed = passed, Message = message };
        if (value is { } measured)
            result.Value = measured;
        return result;
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
