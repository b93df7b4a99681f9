using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Unlearning;

namespace UnlearnDashboard.Engine.Comparison;

/// <summary>Compares two versions of a model on one split of the dataset they were trained on.</summary>
public static class VersionComparer
{
    /// <summary>
    /// Evaluates both versions on the same rows and describes what changed. <paramref name="baselineRemoved"/>
    /// and <paramref name="candidateRemoved"/> are every training row id removed along each version's lineage.
    /// </summary>
    public static VersionComparison Compare(
        TrainedModel baseline,
        TrainedModel candidate,
        PreparedDataset data,
        IReadOnlySet<long> baselineRemoved,
        IReadOnlySet<long> candidateRemoved,
        ComparisonOptions options,
        CancellationToken cancellationToken)
    {
        options.Validate();
        var rows = data.GetSplit(options.Split);
        float[] baselineLogits = baseline.PredictLogits(rows);
        float[] candidateLogits = candidate.PredictLogits(rows);
        cancellationToken.ThrowIfCancellationRequested();

        var baselineReport = FairnessEvaluator.Evaluate(baselineLogits, rows, data);
        var candidateReport = FairnessEvaluator.Evaluate(candidateLogits, rows, data);
        var labels = rows.Labels.Select(l => l > 0.5f).ToArray();
        var baselineDecisions = baselineLogits.Select(l => l > 0f).ToArray();
        var candidateDecisions = candidateLogits.Select(l => l > 0f).ToArray();

        var metrics = DeltaBootstrap.Compute(baselineReport, candidateReport, labels, baselineDecisions, candidateDecisions,
            rows.Groups, data.Groups, options.Bootstrap, cancellationToken);
        var (layerChanges, layersUnavailable) = MeasureLayers(baseline, candidate);

        return new VersionComparison
        {
            Baseline = baselineReport,
            Candidate = candidateReport,
            Metrics = metrics,
            Impacts = Impacts(baselineReport, candidateReport),
            Flips = CountFlips(rows, data.Groups, baselineDecisions, candidateDecisions),
            FlippedExamples = FlippedExamples(rows, baselineLogits, candidateLogits, options.FlippedExamples),
            LayerChanges = layerChanges,
            LayerChangesUnavailable = layersUnavailable,
            Removed = SummariseRemoved(data.Train, baselineRemoved, candidateRemoved),
            Bootstrap = options.Bootstrap,
        };
    }

    /// <summary>Returns each group's selection rate over the highest rate among the groups of the same report.</summary>
    public static IReadOnlyList<GroupImpact> Impacts(FairnessReport baseline, FairnessReport candidate)
    {
        static double? Ratio(FairnessReport report, string group)
        {
            double highest = report.Groups.Max(g => g.SelectionRate ?? 0);
            double? rate = report.Groups.FirstOrDefault(g => g.Group == group)?.SelectionRate;
            return highest > 0 && rate is { } r ? r / highest : null;
        }

        return baseline.Groups
            .Select(g => new GroupImpact(g.Group, g.Count, Ratio(baseline, g.Group), Ratio(candidate, g.Group)))
            .ToList();
    }

    private static List<DecisionFlips> CountFlips(TabularSplit rows, IReadOnlyList<string> groupOrder, bool[] before, bool[] after)
    {
        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
        {
            if (!counts.TryGetValue(rows.Groups[i], out var c))
                counts[rows.Groups[i]] = c = new long[3];
            c[0]++;
            if (after[i] && !before[i])
                c[1]++;
            else if (before[i] && !after[i])
                c[2]++;
        }

        return counts
            .OrderBy(kv => IndexIn(groupOrder, kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new DecisionFlips(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2]))
            .ToList();
    }

    private static List<FlippedRow> FlippedExamples(TabularSplit rows, float[] before, float[] after, int limit)
    {
        return Enumerable.Range(0, rows.Count)
            .Where(i => before[i] > 0f != after[i] > 0f)
            .Select(i => (Index: i, Before: Sigmoid(before[i]), After: Sigmoid(after[i])))
            .OrderByDescending(r => Math.Abs(r.After - r.Before)).ThenBy(r => rows.RowIds[r.Index])
            .Take(limit)
            .Select(r => new FlippedRow(
                rows.RowIds[r.Index],
                rows.Groups[r.Index],
                rows.Labels[r.Index] > 0.5f,
                before[r.Index] > 0f,
                after[r.Index] > 0f,
                r.Before,
                r.After,
                rows.FeatureColumns.Select((column, c) => (column, rows.FeatureValues[c][r.Index]))
                    .ToDictionary(p => p.column, p => p.Item2, StringComparer.Ordinal)))
            .ToList();
    }

    private static (IReadOnlyList<LayerChange> Changes, string? Unavailable) MeasureLayers(TrainedModel baseline, TrainedModel candidate)
    {
        var a = baseline.Spec.Layers;
        var b = candidate.Spec.Layers;
        if (!a.SequenceEqual(b))
        {
            string Shapes(IEnumerable<LayerShape> layers) => string.Join(", ", layers.Select(l => $"{l.Name} {l.Outputs}x{l.Inputs}"));
            return ([], $"the architectures differ (baseline {Shapes(a)}; candidate {Shapes(b)})");
        }

        return (LayerChanges.Measure(baseline, candidate), null);
    }

    internal static RemovedSampleSummary SummariseRemoved(TabularSplit train, IReadOnlySet<long> baselineRemoved, IReadOnlySet<long> candidateRemoved)
    {
        var removed = candidateRemoved.Where(id => !baselineRemoved.Contains(id)).ToHashSet();
        int restored = baselineRemoved.Count(id => !candidateRemoved.Contains(id));

        var cells = new Dictionary<(string Group, float Label), int[]>();
        int matched = 0;
        for (int i = 0; i < train.Count; i++)
        {
            var key = (train.Groups[i], train.Labels[i]);
            if (!cells.TryGetValue(key, out var c))
                cells[key] = c = new int[2];
            c[1]++;
            if (removed.Contains(train.RowIds[i]))
            {
                c[0]++;
                matched++;
            }
        }

        var list = cells
            .OrderBy(kv => kv.Key.Group, StringComparer.Ordinal).ThenBy(kv => kv.Key.Label)
            .Select(kv => new RemovedCell(kv.Key.Group, kv.Key.Label, kv.Value[0], kv.Value[1]))
            .ToList();
        return new RemovedSampleSummary(removed.Count, restored, removed.Count - matched, list);
    }

    private static double Sigmoid(float logit) => 1.0 / (1.0 + Math.Exp(-logit));

    private static int IndexIn(IReadOnlyList<string> order, string group)
    {
        for (int i = 0; i < order.Count; i++)
        {
            if (order[i] == group)
                return i;
        }

        return int.MaxValue;
    }
}
