namespace UnlearnDashboard.Engine.Fairness;

/// <summary>A metric whose denominator is 0: its value is absent, and this says why, with the counts behind it.</summary>
public sealed record UndefinedMetric(string Metric, string Reason, long Numerator, long Denominator);

/// <summary>A group with fewer rows than the minimum group size: listed with its size instead of scored.</summary>
/// <param name="Group">Group name, for example <c>Female|Amer-Indian-Eskimo</c>.</param>
/// <param name="Count">Rows of the group in the split.</param>
/// <param name="Reason">Why the group is not scored, for display.</param>
public sealed record TooSmallGroup(string Group, long Count, string Reason);

/// <summary>Confusion counts and rates of one group; a rate is null when undefined.</summary>
public sealed record GroupFairness
{
    public required string Group { get; init; }

    public long Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    public long TruePositives { get; init; }

    public long FalsePositives { get; init; }

    public long TrueNegatives { get; init; }

    public long FalseNegatives { get; init; }

    public double? SelectionRate { get; init; }

    public double? TruePositiveRate { get; init; }

    public double? FalsePositiveRate { get; init; }

    public double? FalseNegativeRate { get; init; }

    public double? Accuracy { get; init; }

    /// <summary>Selection rate over the reference group's selection rate.</summary>
    public double? DisparateImpactRatio { get; init; }

    public IReadOnlyList<UndefinedMetric> Undefined { get; init; } = [];
}

/// <summary>Fairness of a model's decisions on one split. Null metrics are undefined; see <see cref="Undefined"/>.</summary>
public sealed record FairnessReport
{
    public required string Split { get; init; }

    public required string SensitiveAttribute { get; init; }

    public required string ReferenceGroup { get; init; }

    /// <summary>How rows were grouped, for example <c>age &lt;= 25 vs age &gt; 25</c>; null for the dataset's sensitive column.</summary>
    public string? GroupRule { get; init; }

    public long Count { get; init; }

    public double? Accuracy { get; init; }

    /// <summary>Largest minus smallest selection rate.</summary>
    public double? DemographicParityDifference { get; init; }

    /// <summary>Larger of the true-positive-rate and false-positive-rate gaps.</summary>
    public double? EqualizedOddsDifference { get; init; }

    /// <summary>Max minus min true positive rate.</summary>
    public double? EqualOpportunityDifference { get; init; }

    /// <summary>
    /// Lowest group selection rate over the highest, the ratio of the four-fifths rule, at most 1. It equals the
    /// smallest per-group ratio when the reference group has the highest rate.
    /// </summary>
    public double? DisparateImpactRatio { get; init; }

    /// <summary>Max minus min false positive rate.</summary>
    public double? FalsePositiveRateDifference { get; init; }

    public required IReadOnlyList<GroupFairness> Groups { get; init; }

    public IReadOnlyList<UndefinedMetric> Undefined { get; init; } = [];

    /// <summary>Rows left out because their sensitive value was missing.</summary>
    public long ExcludedRows { get; init; }

    /// <summary>Smallest group size that is scored; 0 scores every group present.</summary>
    public int MinimumGroupSize { get; init; }

    /// <summary>
    /// Groups below <see cref="MinimumGroupSize"/>, in group order. They are absent from <see cref="Groups"/> and
    /// from every gap and ratio, but their rows count in <see cref="Count"/> and <see cref="Accuracy"/>.
    /// </summary>
    public IReadOnlyList<TooSmallGroup> TooSmallGroups { get; init; } = [];
}
