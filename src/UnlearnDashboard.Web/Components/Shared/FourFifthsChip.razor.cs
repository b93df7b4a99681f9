using Microsoft.AspNetCore.Components;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>
/// Shows whether a disparate impact ratio meets the four-fifths rule of the US EEOC Uniform Guidelines
/// (29 CFR 1607.4 D): every group's selection rate is at least 80% of the reference group's.
/// </summary>
public sealed partial class FourFifthsChip : ComponentBase
{
    public const double Threshold = 0.8;

    [Parameter, EditorRequired]
    public double? Ratio { get; set; }

    /// <summary>Why the ratio is undefined, shown in a tooltip.</summary>
    [Parameter, EditorRequired]
    public string? Reason { get; set; }
}
