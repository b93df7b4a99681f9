using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Fairness;
using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>
/// What backs a debias result: the baselines and the random control, the seed-noise band, the levelling-down
/// check, the proof of forgetting and the evidence that could not run. Sections without data are left out.
/// </summary>
public sealed partial class DebiasEvidencePanel : ComponentBase
{
    private const string UndefinedReason = "undefined on the test split";

    [Parameter, EditorRequired]
    public EvidenceSummary Evidence { get; set; } = new();

    private IReadOnlyList<(string Id, string Label, HeadlineSummary Metrics)> Baselines =>
        new (string Id, string Label, HeadlineSummary? Metrics)[]
            {
                ("update", "This update", Evidence.Update),
                ("retrain", "Retrain without the removed rows", Evidence.Retrain),
                ("reweighing", "Reweighed retrain (Kamiran-Calders)", Evidence.Reweighing),
                ("group-thresholds", "Per-group thresholds on the base model", Evidence.GroupThresholds),
                ("random-control", $"Random-removal control (mean of {Evidence.RandomDrawCount} draws)", Evidence.RandomControlMean),
            }
            .Where(row => row.Metrics is not null)
            .Select(row => (row.Id, row.Label, row.Metrics!))
            .ToList();

    private IEnumerable<(string Id, string Label, ModelDistanceSummary Distance)> Distances(ModelDistanceSummary updated)
    {
        yield return ("updated", "Updated model", updated);
        if (Evidence.BaseToRetrained is { } baseline)
            yield return ("base", "Base model (the scale)", baseline);
    }

    private static string MetricLabel(string metric) => metric switch
    {
        FairnessMapping.Metrics.Accuracy => "Accuracy",
        FairnessMapping.Metrics.DemographicParityDifference => "DP difference",
        FairnessMapping.Metrics.EqualizedOddsDifference => "EO difference",
        FairnessMapping.Metrics.SelectionRate => "Selection rate",
        FairnessMapping.Metrics.TruePositiveRate => "True positive rate",
        _ => metric.Replace('_', ' '),
    };

    private static string ModelLabel(string model) => model switch
    {
        "base" => "Base model",
        "updated" => "Updated model",
        "retrained" => "Retrained without the removed rows",
        _ => model,
    };

    private static double? TwoStandardDeviations(SeedBandSummary band) => band.StandardDeviation * 2;

    private static string DescribeOutside(bool? outside) => outside switch
    {
        true => "yes",
        false => "no",
        null => MetricFormat.Gap,
    };

    /// <summary>
    /// Describes one rate's check as the CLI prints it: the verdict, the gap before and after, the favoured group's
    /// fall and the lowest group's rise, which are the two amounts the rule weighs.
    /// </summary>
    private static string DescribeRate(LevellingDownRateSummary rate)
    {
        string name = MetricLabel(rate.Rate);
        if (!rate.IsChecked)
            return $"{name}: not checked, a group's rate is undefined";

        return $"{name}: {(rate.LevelledDown ? "flagged" : "not flagged")}; "
            + $"gap {MetricFormat.Format(rate.GapBefore)} → {MetricFormat.Format(rate.GapAfter)}, "
            + $"{rate.FavouredGroup} (highest before) {Movement(rate.FavouredChange!.Value)}, "
            + $"{rate.LowestGroup} (lowest before) {Movement(rate.LowestRise!.Value)}";
    }

    private static string Movement(double change) => change switch
    {
        > 0 => $"rose by {MetricFormat.Format(change)}",
        < 0 => $"fell by {MetricFormat.Format(-change)}",
        _ => "did not change",
    };

    private static string Percent(double fraction) => fraction.ToString("P1", CultureInfo.InvariantCulture);
}
