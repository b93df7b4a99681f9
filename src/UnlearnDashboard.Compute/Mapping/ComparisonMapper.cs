using UnlearnDashboard.Engine.Comparison;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps a version comparison to proto; undefined values leave their optional fields unset.</summary>
internal static class ComparisonMapper
{
    public static Proto.VersionComparison ToProto(this VersionComparison comparison, string split)
    {
        var message = new Proto.VersionComparison
        {
            Split = split,
            BaselineReport = comparison.Baseline.ToProto(),
            CandidateReport = comparison.Candidate.ToProto(),
            LayersUnavailable = comparison.LayerChangesUnavailable ?? "",
            Removed = new Proto.RemovedSampleSummary
            {
                Count = comparison.Removed.Count,
                RestoredCount = comparison.Removed.RestoredCount,
                UnmatchedCount = comparison.Removed.UnmatchedCount,
                Cells =
                {
                    comparison.Removed.Cells.Select(c => new Proto.RemovedCell
                    {
                        Group = c.Group,
                        Label = c.Label > 0.5f,
                        Removed = c.RemovedCount,
                        TrainCount = c.TrainCount,
                    }),
                },
            },
            BootstrapResamples = comparison.Bootstrap.Resamples,
            BootstrapSeed = (uint)comparison.Bootstrap.Seed,
            BootstrapLevel = comparison.Bootstrap.Level,
        };
        message.Metrics.AddRange(comparison.Metrics.Select(ToProto));
        message.Impacts.AddRange(comparison.Impacts.Select(ToProto));
        message.Flips.AddRange(comparison.Flips.Select(f => new Proto.DecisionFlips
        {
            Group = f.Group,
            Count = f.Count,
            NowFavourable = f.NowFavourable,
            NowUnfavourable = f.NowUnfavourable,
        }));
        message.FlippedExamples.AddRange(comparison.FlippedExamples.Select(ToProto));
        message.Layers.AddRange(comparison.LayerChanges.Select(c => new Proto.LayerDelta
        {
            Layer = c.Layer,
            DeltaNorm = c.DeltaNorm,
            RelativeChange = c.RelativeChange,
        }));
        return message;
    }

    private static Proto.MetricDelta ToProto(MetricDelta metric)
    {
        var message = new Proto.MetricDelta
        {
            Metric = metric.Metric,
            Group = metric.Group ?? "",
            UndefinedReason = metric.UndefinedReason ?? "",
        };
        if (metric.Baseline is { } baseline)
            message.Baseline = baseline;
        if (metric.Candidate is { } candidate)
            message.Candidate = candidate;
        if (metric.Delta is { } delta)
            message.Delta = delta;
        if (metric.DeltaLower is { } lower)
            message.DeltaLower = lower;
        if (metric.DeltaUpper is { } upper)
            message.DeltaUpper = upper;
        return message;
    }

    public static Proto.GroupImpact ToProto(GroupImpact impact)
    {
        var message = new Proto.GroupImpact
        {
            Group = impact.Group,
            Count = impact.Count,
            BaselineBelowFourFifths = impact.BaselineBelowFourFifths,
            CandidateBelowFourFifths = impact.CandidateBelowFourFifths,
        };
        if (impact.BaselineRatio is { } baseline)
            message.BaselineRatio = baseline;
        if (impact.CandidateRatio is { } candidate)
            message.CandidateRatio = candidate;
        return message;
    }

    private static Proto.FlippedRow ToProto(FlippedRow row)
    {
        var message = new Proto.FlippedRow
        {
            RowId = row.RowId,
            Group = row.Group,
            Label = row.Label,
            BaselineDecision = row.BaselineDecision,
            CandidateDecision = row.CandidateDecision,
            BaselineProbability = row.BaselineProbability,
            CandidateProbability = row.CandidateProbability,
        };
        foreach (var (column, value) in row.Features)
            message.Features[column] = value;
        return message;
    }
}
