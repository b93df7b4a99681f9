namespace UnlearnDashboard.Web.Fairness;

/// <summary>
/// Fairness of one model on one split, as the dashboard shows and the jobs hub sends it. A metric that is
/// undefined (its denominator is 0) is null, and <see cref="Undefined"/> gives the reason.
/// </summary>
public sealed record FairnessSummary
{
    public string Split { get; init; } = "";

    public string SensitiveAttribute { get; init; } = "";

    public string ReferenceGroup { get; init; } = "";

    public long Count { get; init; }

    public double? Accuracy { get; init; }

    public double? DemographicParityDifference { get; init; }

    public double? EqualizedOddsDifference { get; init; }

    public double? EqualOpportunityDifference { get; init; }

    public double? DisparateImpactRatio { get; init; }

    public double? FalsePositiveRateDifference { get; init; }

    public IReadOnlyList<GroupSummary> Groups { get; init; } = [];

    public IReadOnlyList<MetricGap> Undefined { get; init; } = [];

    /// <summary>Bootstrap intervals of the report-level metrics; empty when the compute server sent none.</summary>
    public IReadOnlyList<IntervalSummary> Intervals { get; init; } = [];

    /// <summary>Coverage of <see cref="Intervals"/>, for example 0.95; 0 when no interval was computed.</summary>
    public double IntervalLevel { get; init; }

    /// <summary>Bootstrap resamples behind <see cref="Intervals"/>; 0 when no interval was computed.</summary>
    public int IntervalResamples { get; init; }

    /// <summary>Returns the reason why <paramref name="metric"/> (a proto field name) is undefined, or null.</summary>
    public string? ReasonFor(string metric) => MetricGap.ReasonFor(Undefined, metric);

    /// <summary>Returns the interval of <paramref name="metric"/> (a proto field name), or null when the report has none.</summary>
    public IntervalSummary? IntervalFor(string metric) => Intervals.FirstOrDefault(interval => interval.Metric == metric);

    /// <summary>True when every group's selection rate is 0, so a DP difference of 0 does not mean the model is fair.</summary>
    public bool ApprovesNobody =>
        Groups.Count > 0 && Groups.All(group => group.SelectionRate == 0);
}

/// <summary>Metrics of one group of the sensitive attribute; a rate is null when undefined.</summary>
public sealed record GroupSummary
{
    public string Group { get; init; } = "";

    public long Count { get; init; }

    public double? SelectionRate { get; init; }

    public double? TruePositiveRate { get; init; }

    public double? FalsePositiveRate { get; init; }

    public double? Accuracy { get; init; }

    public double? DisparateImpactRatio { get; init; }

    public IReadOnlyList<MetricGap> Undefined { get; init; } = [];

    public string? ReasonFor(string metric) => MetricGap.ReasonFor(Undefined, metric);
}

/// <summary>An undefined metric: its proto field name and why it has no value, for example "no positive labels in group Female (0 of 4)".</summary>
public sealed record MetricGap(string Metric, string Reason)
{
    public static string? ReasonFor(IEnumerable<MetricGap> gaps, string metric) =>
        gaps.FirstOrDefault(gap => gap.Metric == metric)?.Reason;
}

/// <summary>
/// A bootstrap confidence interval of a report-level metric. Both bounds are null when there is no interval,
/// and <see cref="Reason"/> says why, for example "no positive labels in group Female (0 of 4)".
/// </summary>
public sealed record IntervalSummary(string Metric, double? Lower, double? Upper, string Reason)
{
    public bool HasBounds => Lower is not null && Upper is not null;
}
