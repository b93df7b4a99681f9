using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>Maps a debias result's <see cref="DebiasEvidence"/> to <see cref="EvidenceSummary"/>, keeping unset values null.</summary>
public static class EvidenceMapping
{
    /// <summary>
    /// Maps the evidence of <paramref name="result"/>, or returns null when the compute server sent none. The
    /// retrain row falls back to the result's own retrain report, which a request with compare_retrain gets.
    /// </summary>
    public static EvidenceSummary? ToEvidenceSummary(this DebiasResult result)
    {
        if (result.Evidence is not { } evidence)
            return null;

        return new EvidenceSummary
        {
            Update = ToHeadline(result.After),
            Retrain = ToHeadline(evidence.Retrain?.Report ?? result.Retrain),
            Reweighing = ToHeadline(evidence.Reweighing?.Report),
            GroupThresholds = ToHeadline(evidence.GroupThresholds?.Report),
            RandomControlMean = evidence.RandomControl is { } control ? ToHeadline(control.Mean ?? new HeadlineMetrics()) : null,
            RandomDrawCount = evidence.RandomControl?.Draws.Count ?? 0,
            UpdatedToRetrained = ToDistance(evidence.Retrain?.UpdatedToRetrained),
            BaseToRetrained = ToDistance(evidence.Retrain?.BaseToRetrained),
            SeedBand = evidence.SeedBand?.Metrics.Select(ToSeedBand).ToList() ?? [],
            SeedBandSeedCount = evidence.SeedBand?.Seeds.Count ?? 0,
            LevellingDown = ToLevellingDown(evidence.LevellingDown),
            Membership = ToMembership(evidence.MembershipInference),
            Skipped = evidence.Skipped.ToList(),
        };
    }

    private static HeadlineSummary? ToHeadline(FairnessReport? report) => report is null
        ? null
        : new HeadlineSummary(
            report.HasAccuracy ? report.Accuracy : null,
            report.HasDemographicParityDifference ? report.DemographicParityDifference : null,
            report.HasEqualizedOddsDifference ? report.EqualizedOddsDifference : null);

    private static HeadlineSummary ToHeadline(HeadlineMetrics metrics) => new(
        metrics.HasAccuracy ? metrics.Accuracy : null,
        metrics.HasDemographicParityDifference ? metrics.DemographicParityDifference : null,
        metrics.HasEqualizedOddsDifference ? metrics.EqualizedOddsDifference : null);

    private static ModelDistanceSummary? ToDistance(ModelDistance? distance) =>
        distance is null ? null : new ModelDistanceSummary(distance.Total, distance.PredictionAgreement);

    private static SeedBandSummary ToSeedBand(SeedBandMetric band) => new(
        band.Metric,
        band.HasMean ? band.Mean : null,
        band.HasStandardDeviation ? band.StandardDeviation : null,
        band.HasLower ? band.Lower : null,
        band.HasUpper ? band.Upper : null,
        band.HasResult ? band.Result : null,
        band.HasOutsideBand ? band.OutsideBand : null);

    private static LevellingDownSummary? ToLevellingDown(LevellingDown? levelling)
    {
        if (levelling is null)
            return null;

        var rates = new[] { levelling.SelectionRate, levelling.TruePositiveRate }
            .Where(rate => rate is not null)
            .Select(rate => new LevellingDownRateSummary
            {
                Rate = rate.Rate,
                LevelledDown = rate.LevelledDown,
                FavouredGroup = rate.FavouredGroup,
                LowestGroup = rate.LowestGroup,
                GapBefore = rate.HasGapBefore ? rate.GapBefore : null,
                GapAfter = rate.HasGapAfter ? rate.GapAfter : null,
                FavouredDrop = rate.HasFavouredDrop ? rate.FavouredDrop : null,
                FavouredChange = rate.Groups.FirstOrDefault(g => g.Group == rate.FavouredGroup) is { HasBefore: true, HasAfter: true } favoured
                    ? favoured.After - favoured.Before
                    : null,
                LowestRise = rate.HasLowestRise ? rate.LowestRise : null,
            })
            .ToList();
        return new LevellingDownSummary(levelling.Flagged, levelling.Rule, rates);
    }

    private static MembershipSummary? ToMembership(MembershipInference? inference) => inference is null
        ? null
        : new MembershipSummary(
            inference.MemberCount,
            inference.NonMemberCount,
            inference.Models.Select(model => new MembershipAucSummary(model.Model, model.HasAuc ? model.Auc : null)).ToList());
}
