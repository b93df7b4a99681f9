using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFixture fixture)
{
    private static readonly string[] MetricRows =
    [
        "accuracy", "demographic_parity_difference", "equalized_odds_difference",
        "equal_opportunity_difference", "false_positive_rate_difference", "disparate_impact_ratio",
    ];

    [Fact]
    public async Task Overview_MatchesGrpcVersions()
    {
        var versions = (await fixture.Models.ListVersionsAsync(new ListVersionsRequest())).Versions;
        var page = await fixture.NewPageAsync();

        await page.GotoAsync(fixture.WebUrl + "/");
        await page.Locator("[data-testid=versions]").WaitForAsync();

        Assert.NotEmpty(versions);
        foreach (var version in versions)
        {
            var row = page.Locator($"tr:has([data-version-id='{version.Id}'])");
            var report = version.TestReport;
            Assert.Equal(Screen.Expected(report.HasAccuracy, report.Accuracy), await Screen.MetricTextAsync(row.Locator("[data-metric=accuracy]")));
            Assert.Equal(Screen.Expected(report.HasDemographicParityDifference, report.DemographicParityDifference),
                await Screen.MetricTextAsync(row.Locator("[data-metric=demographic_parity_difference]")));
            Assert.Equal(Screen.Expected(report.HasEqualizedOddsDifference, report.EqualizedOddsDifference),
                await Screen.MetricTextAsync(row.Locator("[data-metric=equalized_odds_difference]")));
            Assert.Equal(Screen.Expected(report.HasDisparateImpactRatio, report.DisparateImpactRatio),
                await Screen.MetricTextAsync(row.Locator("[data-metric=disparate_impact_ratio]")));
            foreach (string metric in new[] { "demographic_parity_difference", "equalized_odds_difference", "disparate_impact_ratio" })
            {
                var interval = report.Intervals?.Metrics.FirstOrDefault(m => m.Metric == metric);
                var (text, reason) = await Screen.IntervalAsync(row.Locator($"[data-metric={metric}]"));
                Assert.Equal(Screen.ExpectedInterval(interval), text);
                if (interval is not null && !(interval.HasLower && interval.HasUpper))
                    Assert.Equal(interval.UndefinedReason, reason);
            }
        }

        await Screen.ScreenshotAsync(page, fixture, "overview-light");
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-pressed", "true");
        await Screen.ScreenshotAsync(page, fixture, "overview-dark");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Wizard_SubmitsRequestAndJobFinishes()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.WebUrl + "/requests/new");

        await page.Locator("[data-testid=dataset]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex("^adult$") }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=version]")).ToContainTextAsync("(default)");
        await Screen.ScreenshotAsync(page, fixture, "wizard-model");
        await page.Locator("[data-testid=next]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sensitive]")).ToContainTextAsync("sex");
        await page.Locator("[data-testid=next]").ClickAsync();

        var fraction = Field(page, "remove-fraction");
        await Assertions.Expect(fraction).ToHaveValueAsync("0.05");
        await fraction.FillAsync("0.7");
        await fraction.PressAsync("Tab");
        await page.Locator("[data-testid=next]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=summary]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=remove-fraction-error]"))
            .ToHaveTextAsync("The remove fraction must be greater than 0 and at most 0.5; 0.7 is outside.");
        await Screen.ScreenshotAsync(page, fixture, "wizard-invalid-fraction");
        await fraction.FillAsync("0.1");
        await fraction.PressAsync("Tab");
        await page.GetByLabel("Compare with a model retrained from scratch without the removed samples (slower)").CheckAsync();
        await page.Locator("[data-testid=next]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=summary] tr:has-text('Remove fraction')")).ToContainTextAsync("0.1");
        await Screen.ScreenshotAsync(page, fixture, "wizard-summary");
        await page.Locator("[data-testid=submit]").ClickAsync();

        await page.WaitForURLAsync(new Regex("/jobs/"));
        await page.Locator("[data-testid=result]").WaitForAsync(new() { Timeout = 180_000 });
        string jobId = Screen.JobIdFromUrl(page.Url);
        var job = await fixture.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(0.1, job.DebiasRequest.RemoveFraction);
        Assert.True(job.DebiasRequest.CompareRetrain);
        await AssertResultMatchesAsync(page, job.Result.Debias);
        await AssertEvidenceMatchesAsync(page, job.Result.Debias);
        // Replacing 10% of Adult raises the equalized odds gap (see the README), so the page has a warning to show.
        Assert.NotEmpty(job.Result.Debias.Warnings);
        Assert.Equal(job.Result.Debias.Warnings, (await page.Locator("[data-testid=result-warning]").AllInnerTextsAsync()).Select(text => text.Trim()));
        Assert.True(job.Result.Debias.Timings.HasRetrainSpeedUp);
        await Assertions.Expect(page.Locator("[data-testid=speed-up]")).ToHaveTextAsync(
            $"Ranking and update ran {job.Result.Debias.Timings.RetrainSpeedUp.ToString("0.0", CultureInfo.InvariantCulture)}\u00d7 faster than the retrain.");
        await Screen.ScreenshotAsync(page, fixture, "job-finished");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TwoBrowsers_SeeIdenticalCharts()
    {
        var job = await fixture.Jobs.SubmitDebiasAsync(new DebiasRequest { Dataset = "german-credit", CompareRetrain = true, RemoveFraction = 0.1 });
        var first = await fixture.NewPageAsync();
        var second = await fixture.NewPageAsync();

        await Task.WhenAll(first.GotoAsync($"{fixture.WebUrl}/jobs/{job.Id}"), second.GotoAsync($"{fixture.WebUrl}/jobs/{job.Id}"));
        await first.Locator("[data-testid=result]").WaitForAsync(new() { Timeout = 180_000 });
        await second.Locator("[data-testid=result]").WaitForAsync(new() { Timeout = 180_000 });

        var firstSeries = await Screen.ChartSeriesAsync(first);
        var secondSeries = await Screen.ChartSeriesAsync(second);
        var events = await Screen.WatchAllAsync(fixture.Jobs, job.Id);
        var metrics = events.Where(e => e.Progress?.Metrics is not null).Select(e => e.Progress.Metrics).ToList();
        Assert.NotEmpty(metrics);
        Assert.Equal(firstSeries, secondSeries);
        Assert.Equal(Values(metrics.Select(m => m.HasBiasObjective ? m.BiasObjective : (double?)null)),
            firstSeries["chart-bias/bias objective (validation)"]);
        Assert.Equal(Values(metrics.Select(m => m.HasAccuracy ? m.Accuracy : (double?)null)), firstSeries["chart-accuracy/accuracy"]);
        Assert.Equal(events.Select(Screen.Describe), await Screen.EventLogAsync(first));
        Assert.Equal(events.Select(Screen.Describe), await Screen.EventLogAsync(second));
        await first.Context.CloseAsync();
        await second.Context.CloseAsync();
    }

    [Fact]
    public async Task Reload_MidJob_ShowsNoGap()
    {
        var job = await fixture.Jobs.TrainModelAsync(new TrainModelRequest
        {
            Dataset = "adult",
            Name = "adult-reload-test",
            Settings = new ModelSettings { Epochs = 30 },
        });
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{fixture.WebUrl}/jobs/{job.Id}");
        await Assertions.Expect(page.Locator("[data-testid=event-log] tr[data-kind=Progress]")).Not.ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await page.Locator("[data-testid=event-log] tr[data-sequence='3']").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        int finalBeforeReload = await page.Locator("[data-testid=result], [data-testid=ended]").CountAsync();
        await Screen.ScreenshotAsync(page, fixture, "job-running");

        await page.ReloadAsync();
        var events = await Screen.WatchAllAsync(fixture.Jobs, job.Id);
        var ended = await fixture.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        Assert.True(ended.State == JobState.Succeeded, $"the job ended {ended.State}: {ended.Error}");
        await page.Locator("[data-testid=result]").WaitForAsync(new() { Timeout = 60_000 });

        Assert.Equal(0, finalBeforeReload);
        Assert.Equal(events.Select(Screen.Describe), await Screen.EventLogAsync(page));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var accuracy = events.Where(e => e.Progress?.Metrics is not null).Select(e => e.Progress.Metrics.HasAccuracy ? e.Progress.Metrics.Accuracy : (double?)null);
        Assert.Equal(Values(accuracy), (await Screen.ChartSeriesAsync(page))["chart-accuracy/accuracy"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task CancelButton_StopsRunningJob()
    {
        var job = await fixture.Jobs.TrainModelAsync(new TrainModelRequest
        {
            Dataset = "adult",
            Name = "adult-cancel-test",
            Settings = new ModelSettings { Epochs = 500 },
        });
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{fixture.WebUrl}/jobs/{job.Id}");
        await page.Locator("[data-testid=event-log] tr[data-sequence='2']").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });

        await page.Locator("[data-testid=cancel]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=ended]")).ToContainTextAsync("Cancelled", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=cancel]")).ToBeDisabledAsync();
        var stored = await fixture.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        Assert.Equal(JobState.Cancelled, stored.State);
        await Screen.ScreenshotAsync(page, fixture, "job-cancelled");
        await page.Context.CloseAsync();
    }

    private static async Task AssertResultMatchesAsync(IPage page, DebiasResult result)
    {
        var columns = new (string Name, FairnessReport Report)[] { ("before", result.Before), ("after", result.After), ("retrain", result.Retrain) };
        foreach (var (name, report) in columns)
        {
            foreach (string metric in MetricRows)
            {
                var cell = page.Locator($"[data-testid=metric-table] tr[data-metric={metric}] [data-column={name}]");
                Assert.Equal(ExpectedMetric(report, metric), await Screen.MetricTextAsync(cell));
            }

            foreach (var group in report.Groups)
            {
                var row = page.Locator($"[data-testid=groups-{name}] tr[data-group='{group.Group}']");
                Assert.Equal(Screen.Expected(group.HasSelectionRate, group.SelectionRate), await Screen.MetricTextAsync(row.Locator("td").Nth(1)));
                Assert.Equal(Screen.Expected(group.HasTruePositiveRate, group.TruePositiveRate), await Screen.MetricTextAsync(row.Locator("td").Nth(2)));
            }
        }

        Assert.Contains($"Removed {result.RemovedSampleCount} training samples", await page.Locator("[data-testid=result-summary]").InnerTextAsync());
        Assert.Equal(result.NewVersionId, await page.Locator("[data-testid=new-version]").InnerTextAsync());
    }

    /// <summary>
    /// Checks the evidence panel against the evidence the compute server stored: the baseline rows a request
    /// with default evidence and compare_retrain gets, the membership-inference AUCs and the levelling-down check.
    /// </summary>
    private static async Task AssertEvidenceMatchesAsync(IPage page, DebiasResult result)
    {
        var evidence = result.Evidence;
        Assert.NotNull(evidence);
        await Assertions.Expect(page.Locator("[data-testid=evidence]")).ToBeVisibleAsync();

        var baselines = new (string Id, FairnessReport? Report)[]
        {
            ("update", result.After),
            ("retrain", evidence.Retrain?.Report ?? result.Retrain),
            ("group-thresholds", evidence.GroupThresholds?.Report),
        };
        foreach (var (id, report) in baselines)
        {
            Assert.NotNull(report);
            var row = page.Locator($"[data-testid=evidence-baselines] tr[data-baseline={id}]");
            Assert.Equal(Screen.Expected(report.HasAccuracy, report.Accuracy), await Screen.MetricTextAsync(row.Locator("[data-metric=accuracy]")));
            Assert.Equal(Screen.Expected(report.HasDemographicParityDifference, report.DemographicParityDifference),
                await Screen.MetricTextAsync(row.Locator("[data-metric=demographic_parity_difference]")));
            Assert.Equal(Screen.Expected(report.HasEqualizedOddsDifference, report.EqualizedOddsDifference),
                await Screen.MetricTextAsync(row.Locator("[data-metric=equalized_odds_difference]")));
        }

        var mean = evidence.RandomControl.Mean;
        var control = page.Locator("[data-testid=evidence-baselines] tr[data-baseline=random-control]");
        Assert.Equal(Screen.Expected(mean.HasDemographicParityDifference, mean.DemographicParityDifference),
            await Screen.MetricTextAsync(control.Locator("[data-metric=demographic_parity_difference]")));

        var membership = page.Locator("[data-testid=evidence-membership]");
        Assert.Equal(evidence.MembershipInference.MemberCount.ToString(CultureInfo.InvariantCulture), await membership.GetAttributeAsync("data-members"));
        foreach (var model in evidence.MembershipInference.Models)
        {
            Assert.Equal(Screen.Expected(model.HasAuc, model.Auc),
                await Screen.MetricTextAsync(membership.Locator($"tr[data-model={model.Model}]")));
        }

        var levelling = evidence.LevellingDown;
        Assert.Equal(levelling.Flagged ? "true" : "false", await page.Locator("[data-testid=levelling-verdict]").GetAttributeAsync("data-flagged"));
        Assert.Equal(2, await page.Locator("[data-testid=evidence-levelling-down] li[data-rate]").CountAsync());
        var rate = levelling.SelectionRate;
        bool isChecked = rate.HasGapBefore && rate.HasGapAfter && rate.HasFavouredDrop && rate.HasLowestRise;
        string selection = await page.Locator("[data-testid=evidence-levelling-down] li[data-rate=selection_rate]").InnerTextAsync();
        Assert.Contains(isChecked ? $"gap {Screen.Expected(true, rate.GapBefore)} → {Screen.Expected(true, rate.GapAfter)}" : "not checked", selection);
        Assert.Equal(levelling.Flagged ? 1 : 0, await page.Locator("[data-testid=levelling-rule]").CountAsync());
        Assert.Equal(evidence.Skipped.Count, await page.Locator("[data-testid=evidence-skipped] li").CountAsync());
    }

    private static string ExpectedMetric(FairnessReport report, string metric) => metric switch
    {
        "accuracy" => Screen.Expected(report.HasAccuracy, report.Accuracy),
        "demographic_parity_difference" => Screen.Expected(report.HasDemographicParityDifference, report.DemographicParityDifference),
        "equalized_odds_difference" => Screen.Expected(report.HasEqualizedOddsDifference, report.EqualizedOddsDifference),
        "equal_opportunity_difference" => Screen.Expected(report.HasEqualOpportunityDifference, report.EqualOpportunityDifference),
        "false_positive_rate_difference" => Screen.Expected(report.HasFalsePositiveRateDifference, report.FalsePositiveRateDifference),
        _ => Screen.Expected(report.HasDisparateImpactRatio, report.DisparateImpactRatio),
    };

    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>Formats values as the charts' data-values attribute does: full precision, empty for a gap.</summary>
    private static string Values(IEnumerable<double?> values) =>
        string.Join(';', values.Select(value => value?.ToString("R", CultureInfo.InvariantCulture) ?? ""));
}
