using UnlearnDashboard.Engine.Fairness;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>
/// Maps the engine's fairness reports to proto. An undefined metric (null) leaves its optional field unset,
/// never NaN; a defined 0 is set.
/// </summary>
internal static class FairnessMapper
{
    public static Proto.FairnessReport ToProto(this FairnessReport report)
    {
        var message = new Proto.FairnessReport
        {
            Split = report.Split,
            SensitiveAttribute = report.SensitiveAttribute,
            ReferenceGroup = report.ReferenceGroup,
            Count = report.Count,
            ExcludedRows = report.ExcludedRows,
        };
        if (report.Accuracy is { } accuracy)
            message.Accuracy = accuracy;
        if (report.DemographicParityDifference is { } demographicParity)
            message.DemographicParityDifference = demographicParity;
        if (report.EqualizedOddsDifference is { } equalizedOdds)
            message.EqualizedOddsDifference = equalizedOdds;
        if (report.EqualOpportunityDifference is { } equalOpportunity)
            message.EqualOpportunityDifference = equalOpportunity;
        if (report.DisparateImpactRatio is { } disparateImpact)
            message.DisparateImpactRatio = disparateImpact;
        if (report.FalsePositiveRateDifference is { } falsePositiveRate)
            message.FalsePositiveRateDifference = falsePositiveRate;

        message.Groups.AddRange(report.Groups.Select(ToProto));
        message.Undefined.AddRange(report.Undefined.Select(ToProto));
        return message;
    }

    private static Proto.GroupMetrics ToProto(GroupFairness group)
    {
        var message = new Proto.GroupMetrics
        {
            Group = group.Group,
            Count = group.Count,
            TruePositives = group.TruePositives,
            FalsePositives = group.FalsePositives,
            TrueNegatives = group.TrueNegatives,
            FalseNegatives = group.FalseNegatives,
        };
        if (group.SelectionRate is { } selectionRate)
            message.SelectionRate = selectionRate;
        if (group.TruePositiveRate is { } truePositiveRate)
            message.TruePositiveRate = truePositiveRate;
        if (group.FalsePositiveRate is { } falsePositiveRate)
            message.FalsePositiveRate = falsePositiveRate;
        if (group.FalseNegativeRate is { } falseNegativeRate)
            message.FalseNegativeRate = falseNegativeRate;
        if (group.Accuracy is { } accuracy)
            message.Accuracy = accuracy;
        if (group.DisparateImpactRatio is { } disparateImpact)
            message.DisparateImpactRatio = disparateImpact;

        message.Undefined.AddRange(group.Undefined.Select(ToProto));
        return message;
    }

    /// <summary>Maps bootstrap intervals of report-level metrics; a group metric's interval is an error here.</summary>
    public static Proto.ReportIntervals ToProto(this IReadOnlyList<ConfidenceInterval> intervals, BootstrapOptions options)
    {
        var message = new Proto.ReportIntervals
        {
            Resamples = options.Resamples,
            Seed = (uint)options.Seed,
            Level = options.Level,
        };
        foreach (var interval in intervals)
        {
            if (interval.Group is not null)
                throw new ArgumentException($"Interval of {interval.Metric} in group {interval.Group} is not a report-level interval.", nameof(intervals));

            var metric = new Proto.MetricInterval
            {
                Metric = interval.Metric,
                DefinedResamples = interval.DefinedResamples,
                UndefinedReason = interval.UndefinedReason ?? "",
            };
            if (interval.Lower is { } lower)
                metric.Lower = lower;
            if (interval.Upper is { } upper)
                metric.Upper = upper;
            message.Metrics.Add(metric);
        }

        return message;
    }

    private static Proto.UndefinedMetric ToProto(UndefinedMetric metric) => new()
    {
        Metric = metric.Metric,
        Reason = metric.Reason,
        Numerator = metric.Numerator,
        Denominator = metric.Denominator,
    };
}
