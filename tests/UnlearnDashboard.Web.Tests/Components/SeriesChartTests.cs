using Bunit;
using UnlearnDashboard.Web.Components.Shared;

namespace UnlearnDashboard.Web.Tests.Components;

public sealed class SeriesChartTests : DashboardTestContext
{
    [Fact]
    public void Chart_DrawsAllZeroSeriesAsFlatLine()
    {
        var chart = Render<SeriesChart>(parameters => parameters
            .Add(p => p.Title, "DP difference")
            .Add(p => p.XLabels, ["1", "2", "3", "4", "5"])
            .Add(p => p.Series, [new ChartLine("DP difference", [0.0, 0.0, 0.0, 0.0, 0.0])]));

        var polyline = chart.Find("g.series polyline");
        var heights = polyline.GetAttribute("points")!.Split(' ').Select(point => point.Split(',')[1]).Distinct().ToList();
        Assert.Single(heights);
        Assert.DoesNotContain("NaN", chart.Markup);
        Assert.DoesNotContain("Infinity", chart.Markup);
    }

    [Fact]
    public void Chart_LeavesGapForUndefinedValue()
    {
        var chart = Render<SeriesChart>(parameters => parameters
            .Add(p => p.Title, "Disparate impact")
            .Add(p => p.XLabels, ["1", "2", "3", "4", "5"])
            .Add(p => p.Series, [new ChartLine("DI", [0.3, 0.4, null, 0.5, 0.6])]));

        var series = chart.Find("g.series");
        Assert.Equal(2, series.QuerySelectorAll("polyline").Length);
        Assert.Equal(4, series.QuerySelectorAll("circle").Length);
        Assert.Equal("0.3;0.4;;0.5;0.6", series.GetAttribute("data-values"));
        Assert.DoesNotContain("NaN", chart.Markup);
    }

    [Fact]
    public void Chart_ShowsEmptyTextWithoutValues()
    {
        var chart = Render<SeriesChart>(parameters => parameters
            .Add(p => p.Title, "Accuracy")
            .Add(p => p.XLabels, [])
            .Add(p => p.Series, [new ChartLine("accuracy", [])]));

        Assert.Empty(chart.FindAll("svg"));
        Assert.Contains("No values yet.", chart.Markup);
    }

    [Fact]
    public void Chart_ListsValuesForScreenReaders()
    {
        var chart = Render<SeriesChart>(parameters => parameters
            .Add(p => p.Title, "Accuracy")
            .Add(p => p.XLabels, ["training 1", "training 2"])
            .Add(p => p.Series, [new ChartLine("accuracy", [0.81234, null])]));

        var cells = chart.FindAll("table.visually-hidden tbody td").Select(cell => cell.TextContent).ToList();
        Assert.Equal(["0.8123", "—"], cells);
        Assert.Equal("Accuracy: accuracy 0.8123, —", chart.Find("svg").GetAttribute("aria-label"));
    }
}
