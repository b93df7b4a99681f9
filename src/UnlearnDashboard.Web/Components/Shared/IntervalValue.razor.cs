using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>A metric's bootstrap interval as "[lower, upper]", or "no interval" with the reason in a tooltip.</summary>
public sealed partial class IntervalValue : ComponentBase
{
    /// <summary>The interval; null when the report carries none for the metric.</summary>
    [Parameter, EditorRequired]
    public IntervalSummary? Interval { get; set; }

    /// <summary>Coverage of the interval, for example 0.95, for the accessible label.</summary>
    [Parameter, EditorRequired]
    public double Level { get; set; }

    /// <summary>Bootstrap resamples behind the interval, for the accessible label.</summary>
    [Parameter, EditorRequired]
    public int Resamples { get; set; }

    [Parameter]
    public int Decimals { get; set; } = MetricFormat.Decimals;

    private string MissingReason => Interval switch
    {
        null => "the compute server sent no interval for this metric",
        { Reason: { Length: > 0 } reason } => reason,
        _ => "undefined",
    };

    private string Label(IntervalSummary interval) => string.Create(CultureInfo.InvariantCulture,
        $"{Level * 100:0.#}% confidence interval from {MetricFormat.Format(interval.Lower, Decimals)} to {MetricFormat.Format(interval.Upper, Decimals)}, {Resamples:N0} bootstrap resamples");
}
