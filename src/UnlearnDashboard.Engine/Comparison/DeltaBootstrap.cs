using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Engine.Comparison;

/// <summary>
/// Paired percentile bootstrap of the change in every group metric and gap between two sets of decisions on
/// the same rows. Each resample draws rows with replacement within each group and scores both sets on the
/// drawn rows, so the interval is that of the difference, not of either version alone.
/// </summary>
internal static class DeltaBootstrap
{
    public static IReadOnlyList<MetricDelta> Compute(
        FairnessReport baseline,
        FairnessReport candidate,
        IReadOnlyList<bool> labels,
        IReadOnlyList<bool> baselineDecisions,
        IReadOnlyList<bool> candidateDecisions,
        IReadOnlyList<string> groups,
        IReadOnlyList<string> groupOrder,
        BootstrapOptions options,
        CancellationToken cancellationToken)
    {
        // A row's joint cell: baseline confusion cell times 4 plus the candidate's.
        var jointByGroup = new Dictionary<string, List<byte>>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
        {
            if (!jointByGroup.TryGetValue(groups[i], out var cells))
                jointByGroup[groups[i]] = cells = [];
            int joint = 4 * FairnessCalculator.Cell(labels[i], baselineDecisions[i]) + FairnessCalculator.Cell(labels[i], candidateDecisions[i]);
            cells.Add((byte)joint);
        }

        var deltas = new Dictionary<(string Metric, string? Group), List<double>>();
        var random = new Random(options.Seed);
        for (int resample = 0; resample < options.Resamples; resample++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var baselineCounts = new Dictionary<string, long[]>(StringComparer.Ordinal);
            var candidateCounts = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var (group, cells) in jointByGroup)
            {
                var before = new long[4];
                var after = new long[4];
                for (int k = 0; k < cells.Count; k++)
                {
                    int joint = cells[random.Next(cells.Count)];
                    before[joint / 4]++;
                    after[joint % 4]++;
                }

                baselineCounts[group] = before;
                candidateCounts[group] = after;
            }

            var before0 = FairnessCalculator.FromCounts("bootstrap", "", baseline.ReferenceGroup, baselineCounts, groupOrder, 0, baseline.MinimumGroupSize);
            var after0 = FairnessCalculator.FromCounts("bootstrap", "", candidate.ReferenceGroup, candidateCounts, groupOrder, 0, candidate.MinimumGroupSize);
            foreach (var ((metric, group, a), (_, _, b)) in FairnessBootstrap.Values(before0).Zip(FairnessBootstrap.Values(after0)))
            {
                if (a is not { } x || b is not { } y)
                    continue;
                if (!deltas.TryGetValue((metric, group), out var list))
                    deltas[(metric, group)] = list = [];
                list.Add(y - x);
            }
        }

        double tail = (1 - options.Level) / 2;
        var result = new List<MetricDelta>();
        foreach (var ((metric, group, a), (_, _, b)) in FairnessBootstrap.Values(baseline).Zip(FairnessBootstrap.Values(candidate)))
        {
            string? reason = a is null ? $"baseline: {FairnessBootstrap.ReasonOf(baseline, metric, group)}"
                : b is null ? $"candidate: {FairnessBootstrap.ReasonOf(candidate, metric, group)}"
                : null;
            if (reason is not null)
            {
                result.Add(new MetricDelta(metric, group, a, b, null, null, null, reason));
                continue;
            }

            double? lower = null, upper = null;
            if (deltas.TryGetValue((metric, group), out var values) && values.Count > 0)
            {
                values.Sort();
                lower = FairnessBootstrap.Percentile(values, tail);
                upper = FairnessBootstrap.Percentile(values, 1 - tail);
            }

            result.Add(new MetricDelta(metric, group, a, b, b - a, lower, upper, null));
        }

        return result;
    }
}
