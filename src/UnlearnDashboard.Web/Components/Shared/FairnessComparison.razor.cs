using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>Headline fairness metrics of up to three reports side by side: before, after and, when present, the retrain.</summary>
public sealed partial class FairnessComparison : ComponentBase
{
    private static readonly IReadOnlyList<MetricRow> Rows =
    [
        new(FairnessMapping.Metrics.Accuracy, "Accuracy", report => report.Accuracy),
        new(FairnessMapping.Metrics.DemographicParityDifference, "Demographic parity difference", report => report.DemographicParityDifference),
        new(FairnessMapping.Metrics.EqualizedOddsDifference, "Equalized odds difference", report => report.EqualizedOddsDifference),
        new(FairnessMapping.Metrics.EqualOpportunityDifference, "Equal opportunity difference", report => report.EqualOpportunityDifference),
        new(FairnessMapping.Metrics.FalsePositiveRateDifference, "False positive rate difference", report => report.FalsePositiveRateDifference),
        new(FairnessMapping.Metrics.DisparateImpactRatio, "Disparate impact ratio", report => report.DisparateImpactRatio),
    ];

    [Parameter, EditorRequired]
    public FairnessSummary? Before { get; set; }

    [Parameter, EditorRequired]
    public FairnessSummary? After { get; set; }

    /// <summary>Report of the model retrained without the removed samples; its column is left out when null.</summary>
    [Parameter]
    public FairnessSummary? Retrain { get; set; }

    [Parameter]
    public string Caption { get; set; } = "Fairness before and after";

    private IReadOnlyList<(string Name, FairnessSummary Report)> Columns =>
        new (string Name, FairnessSummary? Report)[] { ("before", Before), ("after", After), ("retrain", Retrain) }
            .Where(column => column.Report is not null)
            .Select(column => (column.Name, column.Report!))
            .ToList();

    private sealed record MetricRow(string Metric, string Label, Func<FairnessSummary, double?> Read);
}
