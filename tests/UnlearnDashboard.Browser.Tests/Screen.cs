using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>Reads what the dashboard shows, and formats gRPC values the way it shows them.</summary>
public static class Screen
{
    /// <summary>Returns the text of the metric or gap inside <paramref name="cell"/>.</summary>
    public static Task<string> MetricTextAsync(ILocator cell) =>
        cell.Locator(".metric, .metric-gap").First.InnerTextAsync();

    /// <summary>Formats a value at the 4 decimals the dashboard shows, or "—" for an unset (undefined) one.</summary>
    public static string Expected(bool isSet, double value) =>
        isSet ? value.ToString("F4", CultureInfo.InvariantCulture) : "—";

    /// <summary>Returns the text of the interval or "no interval" inside <paramref name="cell"/>, with the reason of a missing one.</summary>
    public static async Task<(string Text, string? Reason)> IntervalAsync(ILocator cell)
    {
        var element = cell.Locator(".interval, .interval-gap").First;
        return (await element.InnerTextAsync(), await element.GetAttributeAsync("data-reason"));
    }

    /// <summary>Formats an interval the way the overview shows it: "[lower, upper]" at 4 decimals, or "no interval".</summary>
    public static string ExpectedInterval(MetricInterval? interval) =>
        interval is { HasLower: true, HasUpper: true }
            ? $"[{Expected(true, interval.Lower)}, {Expected(true, interval.Upper)}]"
            : "no interval";

    /// <summary>Returns every chart series on the page by chart and series name, with its full-precision values.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ChartSeriesAsync(IPage page)
    {
        var series = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in await page.Locator("figure.series-chart").AllAsync())
        {
            string chart = await group.GetAttributeAsync("data-testid") ?? "";
            foreach (var line in await group.Locator("g.series").AllAsync())
                series[$"{chart}/{await line.GetAttributeAsync("data-name")}"] = await line.GetAttributeAsync("data-values") ?? "";
        }

        return series;
    }

    /// <summary>Returns the sequence and kind of each row of the job view's event log.</summary>
    public static async Task<IReadOnlyList<string>> EventLogAsync(IPage page)
    {
        var rows = new List<string>();
        foreach (var row in await page.Locator("[data-testid=event-log] tr[data-sequence]").AllAsync())
            rows.Add($"{await row.GetAttributeAsync("data-sequence")}:{await row.GetAttributeAsync("data-kind")}");
        return rows;
    }

    /// <summary>Reads every event of a job from the compute server, as the event log should list it.</summary>
    public static async Task<IReadOnlyList<JobEvent>> WatchAllAsync(JobService.JobServiceClient jobs, string jobId)
    {
        using var call = jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddMinutes(3));
        var events = new List<JobEvent>();
        await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
            events.Add(jobEvent);
        return events;
    }

    public static string Describe(JobEvent jobEvent) =>
        $"{jobEvent.Sequence}:{jobEvent.EventCase switch { JobEvent.EventOneofCase.Progress => "Progress", JobEvent.EventOneofCase.Result => "Result", _ => "Ended" }}";

    /// <summary>Returns the job id at the end of a /jobs/{id} URL.</summary>
    public static string JobIdFromUrl(string url) => Regex.Match(url, "/jobs/([^/?#]+)").Groups[1].Value;

    /// <summary>
    /// Saves a full-page screenshot. Call it once the page shows what the picture is for: a screenshot taken while
    /// the page navigates can wait for a frame that never comes. It waits 90 s because the CI machine is shared.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, DashboardFixture fixture, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(fixture.ScreenshotDirectory, name + ".png"),
            FullPage = true,
            Timeout = 90_000,
        });
    }
}
