using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Models;

/// <summary>
/// Bootstrap intervals of the report-level metrics of a whole version's report: the test report stored with
/// each version, EvaluateFairness responses and the reports of a comparison. Every report gets the same
/// settings, so the same weights on the same split give the same intervals.
/// </summary>
internal static class VersionReportIntervals
{
    /// <summary>1,000 resamples with seed 0 at 95%, the defaults of CompareVersions.</summary>
    public static BootstrapOptions Options { get; } = new() { Resamples = 1000, Seed = 0, Level = 0.95 };

    /// <summary>Reason given for every metric of a report stored without intervals.</summary>
    public const string NotStoredReason = "not stored: the version was made before the server stored intervals with its test report";

    /// <summary>Report-level metrics with an interval, in the order the engine computes them.</summary>
    public static IReadOnlyList<string> Metrics { get; } =
    [
        "accuracy",
        "demographic_parity_difference",
        "equal_opportunity_difference",
        "false_positive_rate_difference",
        "equalized_odds_difference",
        "disparate_impact_ratio",
    ];

    /// <summary>
    /// Computes the intervals of the model's decisions on <paramref name="report"/>'s split (the test split when
    /// the report names none) and sets them on the report.
    /// </summary>
    public static void Attach(Proto.FairnessReport report, TrainedModel model, PreparedDataset data, CancellationToken cancellationToken)
    {
        string split = report.Split.Length > 0 ? report.Split : "test";
        var intervals = FairnessEvaluator.EvaluateReportIntervals(model, data, split, Options, cancellationToken);
        report.Intervals = intervals.ToProto(Options);
    }

    /// <summary>
    /// Parses a stored test report. A report stored without intervals gets an entry per metric without bounds,
    /// with <see cref="NotStoredReason"/>, so clients show the reason and never a 0.
    /// </summary>
    public static Proto.FairnessReport Read(byte[] stored)
    {
        var report = Proto.FairnessReport.Parser.ParseFrom(stored);
        if (report.Intervals is null)
        {
            report.Intervals = new Proto.ReportIntervals();
            report.Intervals.Metrics.AddRange(Metrics.Select(metric => new Proto.MetricInterval { Metric = metric, UndefinedReason = NotStoredReason }));
        }

        return report;
    }
}
