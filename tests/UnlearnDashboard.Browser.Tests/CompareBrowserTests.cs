using System.Globalization;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>The compare page against real servers: every number on screen equals the CompareVersions response.</summary>
[Collection(DashboardCollection.Name)]
public sealed class CompareBrowserTests(DashboardFixture fixture)
{
    private static readonly string[] HeadlineMetrics =
    [
        "accuracy", "demographic_parity_difference", "equalized_odds_difference",
        "equal_opportunity_difference", "false_positive_rate_difference", "disparate_impact_ratio",
    ];

    [Fact]
    public async Task Compare_ParentAndChild_MatchesGrpc()
    {
        var child = await DebiasAdultAsync();
        var expected = await fixture.Comparisons.CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = child.ParentVersionId,
            CandidateVersionId = child.Id,
        });
        var page = await fixture.NewPageAsync();

        await page.GotoAsync(fixture.WebUrl + "/");
        await page.Locator($"tr:has([data-version-id='{child.Id}']) [data-testid=compare-link]").ClickAsync();
        await page.Locator("[data-testid=metric-cards]").WaitForAsync(new() { Timeout = 60_000 });

        Assert.Contains($"baseline={child.ParentVersionId}", page.Url);
        foreach (string metric in HeadlineMetrics)
        {
            var card = page.Locator($"[data-testid=metric-cards] [data-metric={metric}]");
            var delta = expected.Metrics.Single(m => m.Metric == metric && m.Group == "");
            Assert.Equal(Screen.Expected(delta.HasBaseline, delta.Baseline), await Screen.MetricTextAsync(card.Locator("[data-column=baseline]")));
            Assert.Equal(Screen.Expected(delta.HasCandidate, delta.Candidate), await Screen.MetricTextAsync(card.Locator("[data-column=candidate]")));
            Assert.Equal(ChangeText(delta), (await card.Locator("[data-column=change]").InnerTextAsync()).Trim());
        }

        foreach (var flips in expected.Flips)
        {
            var row = page.Locator($"[data-testid=flips] tr[data-group='{flips.Group}']");
            Assert.Equal(flips.NowFavourable.ToString(CultureInfo.InvariantCulture), await row.Locator("[data-column=now-favourable]").InnerTextAsync());
            Assert.Equal(flips.NowUnfavourable.ToString(CultureInfo.InvariantCulture), await row.Locator("[data-column=now-unfavourable]").InnerTextAsync());
        }

        foreach (var impact in expected.Impacts)
        {
            var bar = page.Locator($"[data-testid=impact-bars] g[data-group='{impact.Group}'] rect[data-column=candidate]");
            Assert.Equal(Screen.Expected(impact.HasCandidateRatio, impact.CandidateRatio), await bar.GetAttributeAsync("data-value"));
        }

        foreach (var layer in expected.Layers)
        {
            string shown = await page.Locator($"[data-testid=layers] tr[data-layer='{layer.Layer}'] td").Last.InnerTextAsync();
            Assert.Equal(Screen.Expected(true, layer.RelativeChange), shown.Trim());
        }

        Assert.StartsWith($"{expected.Removed.Count} training rows were removed", (await page.Locator("[data-testid=removed-count]").InnerTextAsync()).Trim());
        await Screen.ScreenshotAsync(page, fixture, "compare");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task MeetingMode_FitsProjectorWidth()
    {
        var child = await DebiasAdultAsync();
        var page = await fixture.NewPageAsync(Roles.Compliance, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        var context = page.Context;

        await page.GotoAsync($"{fixture.WebUrl}/compare?baseline={child.ParentVersionId}&candidate={child.Id}&meeting=true");
        await page.Locator("[data-testid=metric-cards]").WaitForAsync(new() { Timeout = 60_000 });

        Assert.Equal("true", await page.Locator("[data-testid=compare-page]").GetAttributeAsync("data-meeting"));
        Assert.Equal(0, await page.Locator("[data-testid=baseline], [data-testid=candidate]").CountAsync());
        Assert.Equal(0, await page.Locator("a[href='/requests/new']").CountAsync());
        int scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 1920, $"meeting mode is {scrollWidth} px wide, wider than a 1920 px projector");
        string fontSize = await page.Locator("[data-testid=flips] td").First.EvaluateAsync<string>("e => getComputedStyle(e).fontSize");
        Assert.True(double.Parse(fontSize.Replace("px", ""), CultureInfo.InvariantCulture) >= 18, $"table text is {fontSize} in meeting mode");
        await Screen.ScreenshotAsync(page, fixture, "compare-meeting");
        await context.CloseAsync();
    }

    [Fact]
    public async Task MeetingPack_OpensInChromiumWithGrpcNumbers()
    {
        var child = await DebiasAdultAsync();
        var expected = await fixture.Comparisons.CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = child.ParentVersionId,
            CandidateVersionId = child.Id,
        });
        var page = await fixture.NewPageAsync(Roles.Viewer, new BrowserNewContextOptions { AcceptDownloads = true });
        var context = page.Context;
        await page.GotoAsync($"{fixture.WebUrl}/compare?baseline={child.ParentVersionId}&candidate={child.Id}");
        await page.Locator("[data-testid=metric-cards]").WaitForAsync(new() { Timeout = 60_000 });

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=meeting-pack]").ClickAsync());
        string file = Path.Combine(fixture.ScreenshotDirectory, "meeting-pack.html");
        await download.SaveAsAsync(file);
        var pack = await context.NewPageAsync();
        await pack.GotoAsync(new Uri(file).AbsoluteUri);

        foreach (string metric in HeadlineMetrics)
        {
            var delta = expected.Metrics.Single(m => m.Metric == metric && m.Group == "");
            var row = pack.Locator($"table[data-table=metrics] tr[data-metric={metric}]");
            Assert.Equal(Screen.Expected(delta.HasBaseline, delta.Baseline).Replace("—", "undefined"), await row.Locator("[data-column=baseline]").InnerTextAsync());
            Assert.Equal(Screen.Expected(delta.HasCandidate, delta.Candidate).Replace("—", "undefined"), await row.Locator("[data-column=candidate]").InnerTextAsync());
        }

        foreach (var impact in expected.Impacts)
        {
            string shown = await pack.Locator($"table[data-grouping=sex] tr[data-group='{impact.Group}'] [data-column=candidate-ratio]").InnerTextAsync();
            Assert.StartsWith(Screen.Expected(impact.HasCandidateRatio, impact.CandidateRatio), shown);
        }

        Assert.Contains($"{expected.Removed.Count} training rows were removed", await pack.Locator("[data-section=removed]").InnerTextAsync());
        Assert.StartsWith("The audit chain is intact", await pack.Locator("[data-section=audit-check]").InnerTextAsync());
        await pack.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.ScreenshotDirectory, "meeting-pack.png"), FullPage = true });
        await context.CloseAsync();
    }

    private static string ChangeText(MetricDelta delta)
    {
        if (!delta.HasDelta)
            return "change undefined";

        string text = "change " + Signed(delta.Delta);
        return delta.HasDeltaLower && delta.HasDeltaUpper ? $"{text} [{Signed(delta.DeltaLower)}, {Signed(delta.DeltaUpper)}]" : text;
    }

    private static string Signed(double value) =>
        (value > 0 ? "+" : "") + value.ToString("F4", CultureInfo.InvariantCulture);

    private async Task<ModelVersion> DebiasAdultAsync()
    {
        var job = await fixture.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "adult",
            SensitiveAttribute = "sex",
            Method = DebiasMethod.InfluenceNewton,
            RemoveFraction = 0.03,
        });
        await Screen.WatchAllAsync(fixture.Jobs, job.Id);
        var ended = await fixture.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        Assert.True(ended.State == JobState.Succeeded, $"debias job ended {ended.State}: {ended.Error}");
        return await fixture.Models.GetVersionAsync(new GetVersionRequest { VersionId = ended.Result.Debias.NewVersionId });
    }
}
