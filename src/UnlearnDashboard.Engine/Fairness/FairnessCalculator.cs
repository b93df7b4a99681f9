namespace UnlearnDashboard.Engine.Fairness;

/// <summary>
/// Computes group fairness metrics from integer confusion counts in double precision. A rate whose
/// denominator is 0 is undefined: it is left null and explained, never replaced by NaN, 0 or 1, and a
/// gap or ratio that depends on it is undefined too.
/// </summary>
public static class FairnessCalculator
{
    /// <summary>
    /// Computes the report for one split. <paramref name="groupOrder"/> orders the groups in the report;
    /// groups with no rows in the split are left out. A group with fewer than
    /// <paramref name="minimumGroupSize"/> rows is not scored: it is listed in
    /// <see cref="FairnessReport.TooSmallGroups"/> with its size, and no gap or ratio includes it.
    /// </summary>
    public static FairnessReport Compute(
        string split,
        string sensitiveAttribute,
        string referenceGroup,
        IReadOnlyList<bool> labels,
        IReadOnlyList<bool> predictions,
        IReadOnlyList<string> groups,
        IReadOnlyList<string>? groupOrder = null,
        long excludedRows = 0,
        int minimumGroupSize = 0)
    {
        if (labels.Count != predictions.Count || labels.Count != groups.Count)
            throw new ArgumentException($"labels ({labels.Count}), predictions ({predictions.Count}) and groups ({groups.Count}) differ in length.");

        var counts = CountByGroup(labels, predictions, groups);
        return FromCounts(split, sensitiveAttribute, referenceGroup, counts, groupOrder, excludedRows, minimumGroupSize);
    }

    /// <summary>
    /// Counts each group's confusion cells: [true positives, false negatives, false positives, true negatives].
    /// </summary>
    internal static Dictionary<string, long[]> CountByGroup(IReadOnlyList<bool> labels, IReadOnlyList<bool> predictions, IReadOnlyList<string> groups)
    {
        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
        {
            if (!counts.TryGetValue(groups[i], out var c))
                counts[groups[i]] = c = new long[4];
            c[Cell(labels[i], predictions[i])]++;
        }

        return counts;
    }

    /// <summary>Returns the confusion cell of a row: 0 true positive, 1 false negative, 2 false positive, 3 true negative.</summary>
    internal static int Cell(bool label, bool prediction) => (label ? 0 : 2) + (prediction ? 0 : 1);

    /// <summary>Computes the report from per-group confusion counts laid out as in <see cref="CountByGroup"/>.</summary>
    internal static FairnessReport FromCounts(
        string split,
        string sensitiveAttribute,
        string referenceGroup,
        IReadOnlyDictionary<string, long[]> allCounts,
        IReadOnlyList<string>? groupOrder,
        long excludedRows,
        int minimumGroupSize)
    {
        var tooSmall = new List<TooSmallGroup>();
        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (group, cells) in allCounts)
        {
            long size = cells.Sum();
            if (size < minimumGroupSize)
            {
                tooSmall.Add(new TooSmallGroup(group, size,
                    $"group {group} has {size} rows, fewer than the minimum group size {minimumGroupSize}, so it is not scored"));
            }
            else
            {
                counts[group] = cells;
            }
        }

        var order = (groupOrder ?? []).Where(counts.ContainsKey)
            .Concat(counts.Keys.Where(g => groupOrder is null || !groupOrder.Contains(g)).Order(StringComparer.Ordinal))
            .ToList();
        tooSmall = tooSmall.OrderBy(g => OrderOf(g.Group, groupOrder)).ThenBy(g => g.Group, StringComparer.Ordinal).ToList();

        counts.TryGetValue(referenceGroup, out var reference);
        string referenceMissing = tooSmall.Any(g => g.Group == referenceGroup)
            ? $"reference group {referenceGroup} is below the minimum group size {minimumGroupSize}"
            : $"reference group {referenceGroup} has no rows";
        var groupReports = order.Select(g => ComputeGroup(g, counts[g], referenceGroup, reference, referenceMissing)).ToList();

        // Accuracy covers every row of the split, including the rows of groups too small to score.
        var undefined = new List<UndefinedMetric>();
        long total = allCounts.Values.Sum(c => c.Sum());
        long correct = allCounts.Values.Sum(c => c[0] + c[3]);
        double? accuracy = total > 0 ? (double)correct / total : null;
        if (accuracy is null)
            undefined.Add(new UndefinedMetric("accuracy", $"split {split} has no rows", correct, total));

        double? dp = Gap("demographic_parity_difference", groupReports, g => g.SelectionRate, "selection_rate", undefined);
        double? tprGap = Gap("equal_opportunity_difference", groupReports, g => g.TruePositiveRate, "true_positive_rate", undefined);
        double? fprGap = Gap("false_positive_rate_difference", groupReports, g => g.FalsePositiveRate, "false_positive_rate", undefined);
        double? eod = tprGap is { } t && fprGap is { } f ? Math.Max(t, f) : null;
        if (eod is null)
        {
            var cause = undefined.First(u => u.Metric is "equal_opportunity_difference" or "false_positive_rate_difference");
            undefined.Add(new UndefinedMetric("equalized_odds_difference",
                $"{cause.Metric} is undefined: {cause.Reason}", cause.Numerator, cause.Denominator));
        }

        double? di = DisparateImpact(groupReports, referenceGroup, reference, referenceMissing, undefined);

        return new FairnessReport
        {
            Split = split,
            SensitiveAttribute = sensitiveAttribute,
            ReferenceGroup = referenceGroup,
            Count = total,
            Accuracy = accuracy,
            DemographicParityDifference = dp,
            EqualOpportunityDifference = tprGap,
            FalsePositiveRateDifference = fprGap,
            EqualizedOddsDifference = eod,
            DisparateImpactRatio = di,
            Groups = groupReports,
            Undefined = undefined,
            ExcludedRows = excludedRows,
            MinimumGroupSize = minimumGroupSize,
            TooSmallGroups = tooSmall,
        };
    }

    private static int OrderOf(string group, IReadOnlyList<string>? groupOrder)
    {
        int index = groupOrder is null ? -1 : groupOrder.ToList().IndexOf(group);
        return index < 0 ? int.MaxValue : index;
    }

    private static GroupFairness ComputeGroup(string group, long[] c, string referenceGroup, long[]? reference, string referenceMissing)
    {
        long tp = c[0], fn = c[1], fp = c[2], tn = c[3];
        long n = tp + fn + fp + tn;
        var undefined = new List<UndefinedMetric>();

        double? Rate(string metric, long numerator, long denominator, string reason)
        {
            if (denominator > 0)
                return (double)numerator / denominator;
            undefined.Add(new UndefinedMetric(metric, reason, numerator, denominator));
            return null;
        }

        long positives = tp + fn;
        long negatives = fp + tn;
        string noPositives = $"no positive labels in group {group} (0 of {n})";
        string noNegatives = $"no negative labels in group {group} (0 of {n})";

        double? selection = Rate("selection_rate", tp + fp, n, $"group {group} has no rows");
        double? ratio = null;
        if (group != referenceGroup || reference is null)
        {
            long referencePredicted = reference is null ? 0 : reference[0] + reference[2];
            long referenceCount = reference?.Sum() ?? 0;
            if (reference is null)
            {
                undefined.Add(new UndefinedMetric("disparate_impact_ratio", referenceMissing, tp + fp, 0));
            }
            else if (referencePredicted == 0)
            {
                undefined.Add(new UndefinedMetric("disparate_impact_ratio",
                    $"privileged group has no positive predictions ({referenceGroup}: 0 of {referenceCount})", tp + fp, 0));
            }
            else if (selection is { } s)
            {
                ratio = s / ((double)referencePredicted / referenceCount);
            }
        }
        else if (selection is { } s)
        {
            ratio = s > 0 ? 1.0 : null;
            if (ratio is null)
            {
                undefined.Add(new UndefinedMetric("disparate_impact_ratio",
                    $"privileged group has no positive predictions ({referenceGroup}: 0 of {n})", 0, 0));
            }
        }

        return new GroupFairness
        {
            Group = group,
            TruePositives = tp,
            FalseNegatives = fn,
            FalsePositives = fp,
            TrueNegatives = tn,
            SelectionRate = selection,
            TruePositiveRate = Rate("true_positive_rate", tp, positives, noPositives),
            FalsePositiveRate = Rate("false_positive_rate", fp, negatives, noNegatives),
            FalseNegativeRate = Rate("false_negative_rate", fn, positives, noPositives),
            Accuracy = Rate("accuracy", tp + tn, n, $"group {group} has no rows"),
            DisparateImpactRatio = ratio,
            Undefined = undefined,
        };
    }

    /// <summary>Max minus min of a group rate; undefined when fewer than one group or any group's rate is.</summary>
    private static double? Gap(
        string metric,
        IReadOnlyList<GroupFairness> groups,
        Func<GroupFairness, double?> rate,
        string rateMetric,
        List<UndefinedMetric> undefined)
    {
        if (groups.Count == 0)
        {
            undefined.Add(new UndefinedMetric(metric, "the split has no groups", 0, 0));
            return null;
        }

        var missing = groups.FirstOrDefault(g => rate(g) is null);
        if (missing is not null)
        {
            var cause = missing.Undefined.First(u => u.Metric == rateMetric);
            undefined.Add(new UndefinedMetric(metric, cause.Reason, cause.Numerator, cause.Denominator));
            return null;
        }

        // Every rate is defined here, so Max and Min never see NaN.
        var values = groups.Select(g => rate(g)!.Value).ToList();
        return values.Max() - values.Min();
    }

    private static double? DisparateImpact(
        IReadOnlyList<GroupFairness> groups,
        string referenceGroup,
        long[]? reference,
        string referenceMissing,
        List<UndefinedMetric> undefined)
    {
        var others = groups.Where(g => g.Group != referenceGroup).ToList();
        if (others.Count == 0)
        {
            string reason = reference is null
                ? (groups.Count == 0 ? "no groups in the split" : referenceMissing)
                : $"only the reference group {referenceGroup} is present";
            undefined.Add(new UndefinedMetric("disparate_impact_ratio", reason, 0, 0));
            return null;
        }

        var missing = others.FirstOrDefault(g => g.DisparateImpactRatio is null);
        if (missing is not null)
        {
            var cause = missing.Undefined.First(u => u.Metric == "disparate_impact_ratio");
            undefined.Add(cause);
            return null;
        }

        // The four-fifths rule compares every group with the group of the highest selection rate, whichever group
        // is the reference, so the headline is the lowest rate over the highest and never exceeds 1. Every group's
        // rate is defined here, because the reference's and the others' ratios are.
        var rates = groups.Where(g => g.SelectionRate is not null).Select(g => g.SelectionRate!.Value).ToList();
        return rates.Min() / rates.Max();
    }
}
