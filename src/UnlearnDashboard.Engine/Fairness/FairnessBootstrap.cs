namespace UnlearnDashboard.Engine.Fairness;

/// <summary>Settings of bootstrap confidence intervals.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Number of resamples; default 1,000.</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>Seed of the resampling; the same seed gives the same intervals.</summary>
    public int Seed { get; init; }

    /// <summary>Coverage of the percentile interval; default 0.95 (the 2.5th to the 97.5th percentile).</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Resamples is < 10 or > 100_000)
            throw EngineException.Invalid("bootstrap_resamples", $"bootstrap resamples must be in [10, 100000]; got {Resamples}.", Resamples.ToString());
        if (!(Level > 0 && Level < 1))
            throw EngineException.Invalid("bootstrap_level", $"bootstrap level must be in (0, 1); got {Level:R}.", Level.ToString("R"));
    }
}

/// <summary>
/// A percentile bootstrap interval of one metric. <see cref="Group"/> is null for a gap or ratio of the whole
/// split. When the point estimate is undefined, so are the bounds, and <see cref="UndefinedReason"/> says why.
/// </summary>
/// <param name="Metric">Metric name as in <see cref="UndefinedMetric.Metric"/>, for example <c>selection_rate</c>.</param>
/// <param name="Group">Group of a group metric; null for a gap or ratio.</param>
/// <param name="Estimate">Value on the original rows.</param>
/// <param name="Lower">Lower percentile bound; null when undefined.</param>
/// <param name="Upper">Upper percentile bound; null when undefined.</param>
/// <param name="DefinedResamples">Resamples in which the metric was defined; the bounds use only those.</param>
/// <param name="UndefinedReason">Why the estimate is undefined, or null.</param>
public sealed record ConfidenceInterval(
    string Metric,
    string? Group,
    double? Estimate,
    double? Lower,
    double? Upper,
    int DefinedResamples,
    string? UndefinedReason);

/// <summary>
/// Percentile bootstrap confidence intervals for every group metric and gap of a <see cref="FairnessReport"/>.
/// Rows are resampled with replacement within each group, so every resample keeps the group sizes and no
/// group disappears. A metric that is undefined in some resamples (for example a TPR when a resample has no
/// positive label) is bounded by the resamples where it is defined, and the count is reported.
/// </summary>
public static class FairnessBootstrap
{
    /// <summary>Computes the intervals for the report that <see cref="FairnessCalculator.Compute"/> gives on the same rows.</summary>
    public static IReadOnlyList<ConfidenceInterval> Compute(
        string referenceGroup,
        IReadOnlyList<bool> labels,
        IReadOnlyList<bool> predictions,
        IReadOnlyList<string> groups,
        BootstrapOptions options,
        IReadOnlyList<string>? groupOrder = null,
        int minimumGroupSize = 0,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        var point = FairnessCalculator.Compute("bootstrap", "", referenceGroup, labels, predictions, groups, groupOrder, 0, minimumGroupSize);

        var cellsByGroup = new Dictionary<string, List<byte>>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
        {
            if (!cellsByGroup.TryGetValue(groups[i], out var cells))
                cellsByGroup[groups[i]] = cells = [];
            cells.Add((byte)FairnessCalculator.Cell(labels[i], predictions[i]));
        }

        var samples = new Dictionary<(string Metric, string? Group), List<double>>();
        var random = new Random(options.Seed);
        for (int resample = 0; resample < options.Resamples; resample++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var (group, cells) in cellsByGroup)
            {
                var resampled = new long[4];
                for (int k = 0; k < cells.Count; k++)
                    resampled[cells[random.Next(cells.Count)]]++;
                counts[group] = resampled;
            }

            var report = FairnessCalculator.FromCounts("bootstrap", "", referenceGroup, counts, groupOrder, 0, minimumGroupSize);
            foreach (var (metric, group, value) in Values(report))
            {
                if (value is not { } defined)
                    continue;
                if (!samples.TryGetValue((metric, group), out var list))
                    samples[(metric, group)] = list = [];
                list.Add(defined);
            }
        }

        double tail = (1 - options.Level) / 2;
        var intervals = new List<ConfidenceInterval>();
        foreach (var (metric, group, estimate) in Values(point))
        {
            if (estimate is null)
            {
                intervals.Add(new ConfidenceInterval(metric, group, null, null, null, 0, ReasonOf(point, metric, group)));
                continue;
            }

            samples.TryGetValue((metric, group), out var values);
            if (values is null || values.Count == 0)
            {
                intervals.Add(new ConfidenceInterval(metric, group, estimate, null, null, 0, "undefined in every resample"));
                continue;
            }

            values.Sort();
            intervals.Add(new ConfidenceInterval(metric, group, estimate, Percentile(values, tail), Percentile(values, 1 - tail), values.Count, null));
        }

        return intervals;
    }

    /// <summary>Returns the q-quantile of sorted values with linear interpolation between order statistics.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>Every group metric and gap of a report, in a fixed order, with its value or null.</summary>
    internal static IEnumerable<(string Metric, string? Group, double? Value)> Values(FairnessReport report)
    {
        foreach (var g in report.Groups)
        {
            yield return ("selection_rate", g.Group, g.SelectionRate);
            yield return ("true_positive_rate", g.Group, g.TruePositiveRate);
            yield return ("false_positive_rate", g.Group, g.FalsePositiveRate);
            yield return ("false_negative_rate", g.Group, g.FalseNegativeRate);
            yield return ("accuracy", g.Group, g.Accuracy);
            yield return ("disparate_impact_ratio", g.Group, g.DisparateImpactRatio);
        }

        yield return ("accuracy", null, report.Accuracy);
        yield return ("demographic_parity_difference", null, report.DemographicParityDifference);
        yield return ("equal_opportunity_difference", null, report.EqualOpportunityDifference);
        yield return ("false_positive_rate_difference", null, report.FalsePositiveRateDifference);
        yield return ("equalized_odds_difference", null, report.EqualizedOddsDifference);
        yield return ("disparate_impact_ratio", null, report.DisparateImpactRatio);
    }

    internal static string ReasonOf(FairnessReport report, string metric, string? group)
    {
        var list = group is null ? report.Undefined : report.Groups.First(g => g.Group == group).Undefined;
        return list.FirstOrDefault(u => u.Metric == metric)?.Reason ?? "undefined";
    }
}
