using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Fairness;

/// <summary>Evaluates a model's decisions (positive when the logit is > 0) on a dataset split.</summary>
public static class FairnessEvaluator
{
    public static FairnessReport Evaluate(TrainedModel model, PreparedDataset data, string split)
    {
        var rows = data.GetSplit(split);
        float[] logits = model.PredictLogits(rows);
        return Evaluate(logits, rows, data);
    }

    public static FairnessReport Evaluate(IReadOnlyList<float> logits, TabularSplit rows, PreparedDataset data) =>
        FairnessCalculator.Compute(
            rows.Name,
            data.Definition.SensitiveColumn,
            data.ReferenceGroup,
            rows.Labels.Select(l => l > 0.5f).ToArray(),
            logits.Select(l => l > 0f).ToArray(),
            rows.Groups,
            data.Groups,
            data.ExcludedRows);

    /// <summary>
    /// Computes bootstrap intervals of the report-level metrics (accuracy, the gaps and the disparate impact
    /// ratio) that <see cref="Evaluate(TrainedModel, PreparedDataset, string)"/> reports on the same split.
    /// Rows are grouped by the dataset's sensitive column with its reference group, as in that report.
    /// </summary>
    public static IReadOnlyList<ConfidenceInterval> EvaluateReportIntervals(
        TrainedModel model,
        PreparedDataset data,
        string split,
        BootstrapOptions options,
        CancellationToken cancellationToken = default)
    {
        var rows = data.GetSplit(split);
        float[] logits = model.PredictLogits(rows);
        var intervals = FairnessBootstrap.Compute(
            data.ReferenceGroup,
            rows.Labels.Select(l => l > 0.5f).ToArray(),
            logits.Select(l => l > 0f).ToArray(),
            rows.Groups,
            options,
            data.Groups,
            cancellationToken: cancellationToken);
        return intervals.Where(interval => interval.Group is null).ToList();
    }

    /// <summary>
    /// Evaluates a model on a split under the grouping of <paramref name="options"/> (the sensitive column, an
    /// intersection or a numeric boundary) with per-group AUC and calibration, the threshold sweep and, on
    /// request, bootstrap confidence intervals.
    /// </summary>
    public static DetailedFairnessReport EvaluateDetailed(TrainedModel model, PreparedDataset data, string split, DetailedFairnessOptions options)
    {
        var rows = data.GetSplit(split);
        return EvaluateDetailed(model.PredictLogits(rows), rows, data, options);
    }

    /// <summary>Evaluates given logits of a split's rows, as <see cref="EvaluateDetailed(TrainedModel, PreparedDataset, string, DetailedFairnessOptions)"/>.</summary>
    public static DetailedFairnessReport EvaluateDetailed(
        IReadOnlyList<float> logits,
        TabularSplit rows,
        PreparedDataset data,
        DetailedFairnessOptions options,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        var grouping = options.Group(rows, data);
        bool byDatasetColumn = options.GroupColumns.Count == 0 && options.Boundary is null;
        var order = byDatasetColumn ? data.Groups : grouping.Order;
        string reference = options.ReferenceGroup ?? (byDatasetColumn ? data.ReferenceGroup : order.FirstOrDefault() ?? "");

        var labels = rows.Labels.Select(l => l > 0.5f).ToArray();
        var predictions = logits.Select(l => l > 0f).ToArray();
        var probabilities = ScoreMetrics.Probabilities(logits);

        var report = FairnessCalculator.Compute(rows.Name, grouping.Attribute, reference, labels, predictions, grouping.Groups, order,
            data.ExcludedRows, options.MinimumGroupSize) with
        {
            GroupRule = byDatasetColumn ? null : grouping.Rule,
        };

        return new DetailedFairnessReport
        {
            Report = report,
            GroupSizes = order.Select(g => new KeyValuePair<string, long>(g, grouping.Sizes[g])).ToList(),
            Scores = ScoreMetrics.ByGroup(probabilities, labels, grouping.Groups, order, options.MinimumGroupSize),
            ThresholdSweep = ScoreMetrics.ThresholdSweep(probabilities, labels, grouping.Groups, reference, order, options.MinimumGroupSize),
            Intervals = options.Bootstrap is null
                ? null
                : FairnessBootstrap.Compute(reference, labels, predictions, grouping.Groups, options.Bootstrap, order, options.MinimumGroupSize, cancellationToken),
        };
    }
}

/// <summary>
/// Settings of <see cref="FairnessEvaluator.EvaluateDetailed(TrainedModel, PreparedDataset, string, DetailedFairnessOptions)"/>.
/// By default rows are grouped by the dataset's sensitive column, every group is scored and no bootstrap runs.
/// </summary>
public sealed record DetailedFairnessOptions
{
    /// <summary>Columns whose value combinations form the groups, for example ["sex", "race"]; empty uses the sensitive column.</summary>
    public IReadOnlyList<string> GroupColumns { get; init; } = [];

    /// <summary>A numeric boundary that forms two groups instead, for example age &lt;= 25; exclusive with <see cref="GroupColumns"/>.</summary>
    public NumericBoundaryRule? Boundary { get; init; }

    /// <summary>Group for disparate impact; null uses the dataset's reference group, or the largest group of another grouping.</summary>
    public string? ReferenceGroup { get; init; }

    /// <summary>Groups with fewer rows are listed as too small instead of scored; default 0 scores every group.</summary>
    public int MinimumGroupSize { get; init; }

    /// <summary>Bootstrap settings; null (the default) skips the intervals, which cost about one evaluation per resample.</summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MinimumGroupSize < 0)
            throw EngineException.Invalid("minimum_group_size", $"minimum_group_size must be >= 0; got {MinimumGroupSize}.", MinimumGroupSize.ToString());
        if (Boundary is not null && GroupColumns.Count > 0)
            throw EngineException.Invalid("group_columns", "Set either group columns or a boundary rule, not both.");
        Bootstrap?.Validate();
    }

    internal GroupAssignment Group(TabularSplit rows, PreparedDataset data)
    {
        if (Boundary is not null)
            return GroupAssignment.ForBoundary(rows, Boundary);
        if (GroupColumns.Count > 0)
            return GroupAssignment.ForIntersection(rows, GroupColumns);
        return new GroupAssignment
        {
            Attribute = data.Definition.SensitiveColumn,
            Rule = $"{data.Definition.SensitiveColumn}: one group per value",
            Groups = rows.Groups,
        };
    }
}

/// <summary>A fairness report with group sizes, per-group AUC and calibration, the threshold sweep and optional intervals.</summary>
public sealed record DetailedFairnessReport
{
    /// <summary>Decision metrics, with too-small groups listed and the group rule stated.</summary>
    public required FairnessReport Report { get; init; }

    /// <summary>Rows per group in report order, including groups too small to score.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> GroupSizes { get; init; }

    /// <summary>AUC and calibration of each scored group.</summary>
    public required IReadOnlyList<GroupScoreMetrics> Scores { get; init; }

    /// <summary>Demographic parity and equalized odds differences at probability thresholds 0.1 to 0.9.</summary>
    public required IReadOnlyList<ThresholdPoint> ThresholdSweep { get; init; }

    /// <summary>Bootstrap intervals of every group metric and gap; null when not requested.</summary>
    public IReadOnlyList<ConfidenceInterval>? Intervals { get; init; }
}
