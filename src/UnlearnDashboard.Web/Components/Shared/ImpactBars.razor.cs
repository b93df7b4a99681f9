using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>Bars of each group's impact ratio in two versions, against the four-fifths line.</summary>
public sealed partial class ImpactBars : ComponentBase
{
    private const double Width = 640;
    private const double LabelWidth = 140;
    private const double PlotWidth = 380;
    private const double BarHeight = 14;
    private const double GroupHeight = 2 * BarHeight + 14;
    private const double Padding = 4;

    [Parameter, EditorRequired]
    public IReadOnlyList<GroupImpact> Impacts { get; set; } = [];

    private double Height => Impacts.Count * GroupHeight + 2 * Padding + 12;

    private static IEnumerable<(string Name, double? Ratio, bool Below)> Bars(GroupImpact impact)
    {
        yield return ("baseline", impact.HasBaselineRatio ? impact.BaselineRatio : null, impact.BaselineBelowFourFifths);
        yield return ("candidate", impact.HasCandidateRatio ? impact.CandidateRatio : null, impact.CandidateBelowFourFifths);
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
