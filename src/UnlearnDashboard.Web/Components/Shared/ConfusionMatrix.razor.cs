using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>One group's confusion counts as a small heat map.</summary>
public sealed partial class ConfusionMatrix : ComponentBase
{
    [Parameter, EditorRequired]
    public GroupMetrics Group { get; set; } = new();

    [Parameter, EditorRequired]
    public string Title { get; set; } = "";

    /// <summary>Mixes the theme's primary colour in proportion to the cell's share, at most 60% so the count stays readable.</summary>
    private string Shade(long count)
    {
        double share = Group.Count > 0 ? (double)count / Group.Count : 0;
        string percent = (share * 60).ToString("0.#", CultureInfo.InvariantCulture);
        return $"background-color: color-mix(in srgb, var(--mud-palette-primary) {percent}%, transparent)";
    }
}
