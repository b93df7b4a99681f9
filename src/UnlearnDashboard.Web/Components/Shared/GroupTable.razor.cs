using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>Per-group metrics of one fairness report.</summary>
public sealed partial class GroupTable : ComponentBase
{
    [Parameter, EditorRequired]
    public FairnessSummary Report { get; set; } = new();

    [Parameter, EditorRequired]
    public string Caption { get; set; } = "";

    [Parameter]
    public string? TestId { get; set; }
}
