using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Fairness;

/// <summary>Maps the compute server's fairness reports to <see cref="FairnessSummary"/>, keeping unset metrics null.</summary>
public static class FairnessMapping
{
    /// <summary>Proto field names of the report-level metrics, as <see cref="UndefinedMetric.Metric"/> names them.</summary>
    public static class Metrics
    {
        public const string Accuracy = "accuracy";
        public const string DemographicParityDifference = "demographic_parity_difference";
        public const string EqualizedOddsDifference = "equalized_odds_difference";
        public const string EqualOpportunityDifference = "equal_opportunity_difference";
        public const string DisparateImpactRatio = "disparate_impact_ratio";
        public const string FalsePositiveRateDifference = "false_positive_rate_difference";
        public const string SelectionRate = "selection_rate";
        public const string TruePositiveRate = "true_positive_rate";
        public const string FalsePositiveRate = "false_positive_rate";
    }

    public static FairnessSummary? ToSummary(this FairnessReport? report)
    {
        if (report is null)
            return null;

        return new FairnessSummary
        {
            Split = report.Split,
            SensitiveAttribute = report.SensitiveAttribute,
            ReferenceGroup = report.ReferenceGroup,
            Count = report.Count,
            Accuracy = report.HasAccuracy ? report.Accuracy : null,
            DemographicParityDifference = report.HasDemographicParityDifference ? report.DemographicParityDifference : null,
            EqualizedOddsDifference = report.HasEqualizedOddsDifference ? report.EqualizedOddsDifference : null,
            EqualOpportunityDifference = report.HasEqualOpportunityDifference ? report.EqualOpportunityDifference : null,
            DisparateImpactRatio = report.HasDisparateImpactRatio ? report.DisparateImpactRatio : null,
            FalsePositiveRateDifference = report.HasFalsePositiveRateDifference ? report.FalsePositiveRateDifference : null,
            Groups = report.Groups.Select(ToSummary).ToList(),
            Undefined = report.Undefined.Select(ToGap).ToList(),
            Intervals = report.Intervals?.Metrics.Select(ToSummary).ToList() ?? [],
            IntervalLevel = report.Intervals?.Level ?? 0,
            IntervalResamples = report.Intervals?.Resamples ?? 0,
        };
    }

    private static IntervalSummary ToSummary(MetricInterval interval) => new(
        interval.Metric,
        interval.HasLower ? interval.Lower : null,
        interval.HasUpper ? interval.Upper : null,
        interval.UndefinedReason);

    private static GroupSummary ToSummary(GroupMetrics group) => new()
    {
        Group = group.Group,
        Count = group.Count,
        SelectionRate = group.HasSelectionRate ? group.SelectionRate : null,
        TruePositiveRate = group.HasTruePositiveRate ? group.TruePositiveRate : null,
        FalsePositiveRate = group.HasFalsePositiveRate ? group.FalsePositiveRate : null,
        Accuracy = group.HasAccuracy ? group.Accuracy : null,
        DisparateImpactRatio = group.HasDisparateImpactRatio ? group.DisparateImpactRatio : null,
        Undefined = group.Undefined.Select(ToGap).ToList(),
    };

    private static MetricGap ToGap(UndefinedMetric metric) => new(metric.Metric, metric.Reason);
}
