using Microsoft.AspNetCore.Components;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>A metric's value, or "—" with the reason in a tooltip when the metric is undefined.</summary>
public sealed partial class MetricValue : ComponentBase
{
    [Parameter, EditorRequired]
    public double? Value { get; set; }

    /// <summary>Why the metric is undefined; shown only when <see cref="Value"/> is null.</summary>
    [Parameter, EditorRequired]
    public string? Reason { get; set; }

    [Parameter]
    public int Decimals { get; set; } = MetricFormat.Decimals;

    private string GapReason => string.IsNullOrEmpty(Reason) ? "not measured" : Reason;
}
