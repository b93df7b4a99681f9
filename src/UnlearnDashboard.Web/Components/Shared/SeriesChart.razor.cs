using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>
/// A line chart drawn as SVG. A null value leaves a gap in its line, so an undefined metric is never drawn as 0;
/// a constant series is a flat line, and no coordinate is ever NaN.
/// </summary>
public sealed partial class SeriesChart : ComponentBase
{
    private const int Width = 640;
    private const int Height = 240;
    private const int Left = 56;
    private const int Right = 16;
    private const int Top = 12;
    private const int Bottom = 28;

    // Colours that keep a 3:1 contrast on both the light and the dark theme's background.
    private static readonly string[] Palette = ["#1f77b4", "#d95f02", "#2ca02c", "#9467bd", "#e7298a", "#8c564b"];

    [Parameter, EditorRequired]
    public string Title { get; set; } = "";

    [Parameter, EditorRequired]
    public IReadOnlyList<ChartLine> Series { get; set; } = [];

    /// <summary>Label of each x position; every series has at most this many values.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<string> XLabels { get; set; } = [];

    [Parameter]
    public string EmptyText { get; set; } = "No values yet.";

    /// <summary>Value of the figure's data-testid attribute.</summary>
    [Parameter]
    public string? TestId { get; set; }

    private bool HasValues => Series.Any(line => line.Values.Any(value => value is not null));

    private ChartLayout CreateLayout()
    {
        var values = Series.SelectMany(line => line.Values).OfType<double>().Where(double.IsFinite).ToList();
        double low = Math.Min(0, values.Min());
        double high = values.Max();
        if (high - low < 1e-12)
            high = low + 1;
        else
            high += (high - low) * 0.05;

        return new ChartLayout(low, high, Math.Max(XLabels.Count, Series.Max(line => line.Values.Count)));
    }

    private static IEnumerable<(int Start, int End)> Segments(ChartLine line)
    {
        int? start = null;
        for (int index = 0; index <= line.Values.Count; index++)
        {
            bool present = index < line.Values.Count && line.Values[index] is { } value && double.IsFinite(value);
            if (present && start is null)
            {
                start = index;
            }
            else if (!present && start is { } first)
            {
                if (index - first > 1)
                    yield return (first, index - 1);
                start = null;
            }
        }
    }

    private static string Points(ChartLayout layout, ChartLine line, (int Start, int End) segment)
    {
        var points = new List<string>();
        for (int index = segment.Start; index <= segment.End; index++)
            points.Add(Coordinate(layout.X(index)) + "," + Coordinate(layout.Y(line.Values[index]!.Value)));
        return string.Join(' ', points);
    }

    /// <summary>Returns the series' values at full precision, separated by ';', with an empty field for a gap.</summary>
    private static string DataValues(ChartLine line) =>
        string.Join(';', line.Values.Select(value => value?.ToString("R", CultureInfo.InvariantCulture) ?? ""));

    private string Describe() =>
        string.Join("; ", Series.Select(line => $"{line.Name} {string.Join(", ", line.Values.Select(value => MetricFormat.Format(value)))}"));

    private bool ShowXLabel(int index)
    {
        int every = Math.Max(1, (int)Math.Ceiling(XLabels.Count / 12.0));
        return index % every == 0 || index == XLabels.Count - 1;
    }

    // The first and last labels sit on the plot's edges, so they extend inwards to stay inside the SVG.
    private string XLabelAnchor(int index)
    {
        if (XLabels.Count <= 1)
            return "middle";
        if (index == 0)
            return "start";
        return index == XLabels.Count - 1 ? "end" : "middle";
    }

    private string XLabel(int index) => index < XLabels.Count ? XLabels[index] : (index + 1).ToString(CultureInfo.InvariantCulture);

    private static string Coordinate(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Label(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private sealed record ChartLayout(double Low, double High, int Count)
    {
        public IReadOnlyList<double> Ticks => [Low, Low + (High - Low) / 2, High];

        public double X(int index) =>
            Count <= 1 ? Left + (Width - Left - Right) / 2.0 : Left + index * (Width - Left - Right) / (double)(Count - 1);

        public double Y(double value) => Height - Bottom - (value - Low) / (High - Low) * (Height - Top - Bottom);
    }
}
