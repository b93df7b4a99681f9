using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Versions;

/// <summary>One rule of a release gate checked in the dashboard before a promotion is sent.</summary>
/// <param name="Value">The measured value, or null when a report does not contain it, which fails the rule.</param>
public sealed record GateRulePreview(string Rule, string Description, double Threshold, double? Value, bool Passed);

/// <summary>
/// Checks a release gate against stored test-split reports the way the compute server's PromoteVersion does, so the
/// confirmation dialog can show the expected verdict. The server checks again and its verdict decides. Keep the rules
/// in step with the server's <c>ReleaseGateRules</c> and <c>VersionPromotions</c>.
/// </summary>
public static class GatePreview
{
    /// <summary>
    /// Returns one result per rule the gate sets. <paramref name="reference"/> is the current champion, or the
    /// candidate's lineage root when the model has no champion or the candidate is the champion.
    /// </summary>
    public static IReadOnlyList<GateRulePreview> Check(ReleaseGate gate, FairnessReport? candidate, FairnessReport? reference)
    {
        var rules = new List<GateRulePreview>();
        if (gate.HasMinDisparateImpactRatio)
        {
            double? ratio = candidate is { HasDisparateImpactRatio: true } ? candidate.DisparateImpactRatio : null;
            rules.Add(new GateRulePreview("min_disparate_impact_ratio", "Disparate impact ratio at least",
                gate.MinDisparateImpactRatio, ratio, ratio >= gate.MinDisparateImpactRatio));
        }

        if (gate.HasMaxAccuracyDrop)
        {
            double? drop = candidate is { HasAccuracy: true } && reference is { HasAccuracy: true } ? reference.Accuracy - candidate.Accuracy : null;

            // The server allows 1e-12 of rounding, so that a drop equal to the threshold passes.
            rules.Add(new GateRulePreview("max_accuracy_drop", "Accuracy drop against the reference at most",
                gate.MaxAccuracyDrop, drop, drop <= gate.MaxAccuracyDrop + 1e-12));
        }

        return rules;
    }

    /// <summary>
    /// Returns the first of <paramref name="certificates"/> (ListErasures returns them newest first) that lists the
    /// version among the versions that still carry the erased rows, or null. PromoteVersion rejects such a version
    /// for either alias with the <c>erased_rows</c> rule.
    /// </summary>
    public static ErasureCertificate? ErasureListing(string versionId, IEnumerable<ErasureCertificate> certificates) =>
        certificates.FirstOrDefault(c => c.NewVersionId != versionId && c.VersionsAffected.Contains(versionId));
}
