using Bunit;
using Grpc.Core;
using UnlearnDashboard.Web.Components.Pages;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class HomeTests : DashboardTestContext
{
    [Fact]
    public void Home_ShowsMetricsAtFourDecimals()
    {
        Catalog.Snapshot = TestData.Catalog();

        var page = Render<Home>();

        var row = page.WaitForElement($"tr:has([data-version-id='{TestData.TrainedVersionId}'])");
        Assert.Equal("0.8497", row.QuerySelector("[data-metric=accuracy] .metric")!.TextContent);
        Assert.Equal("0.2032", row.QuerySelector("[data-metric=demographic_parity_difference] .metric")!.TextContent);
        Assert.Equal("0.0967", row.QuerySelector("[data-metric=equalized_odds_difference] .metric")!.TextContent);
        Assert.Equal("0.3078", row.QuerySelector("[data-metric=disparate_impact_ratio] .metric")!.TextContent);
        Assert.Equal("false", row.QuerySelector("[data-testid=four-fifths]")!.GetAttribute("data-passes"));
    }

    [Fact]
    public void Home_ShowsUndefinedRatioAsGapWithReason()
    {
        Catalog.Snapshot = TestData.Catalog();

        var page = Render<Home>();

        var row = page.WaitForElement($"tr:has([data-version-id='{TestData.DebiasedVersionId}'])");
        var gap = row.QuerySelector("[data-metric=disparate_impact_ratio] .metric-gap")!;
        Assert.Equal("—", gap.TextContent);
        Assert.Equal("privileged group has no positive predictions", gap.GetAttribute("data-reason"));
        Assert.Equal("undefined: privileged group has no positive predictions", gap.GetAttribute("aria-label"));
        Assert.Equal("0.0000", row.QuerySelector("[data-metric=demographic_parity_difference] .metric")!.TextContent);
        Assert.Equal("unknown", row.QuerySelector("[data-testid=four-fifths]")!.GetAttribute("data-passes"));
        Assert.DoesNotContain("NaN", page.Markup);
    }

    [Fact]
    public void Home_ModelApprovingNobody_IsFlagged()
    {
        Catalog.Snapshot = TestData.Catalog();

        var page = Render<Home>();

        var debiased = page.WaitForElement($"tr:has([data-version-id='{TestData.DebiasedVersionId}'])");
        var trained = page.Find($"tr:has([data-version-id='{TestData.TrainedVersionId}'])");
        Assert.Equal("approves nobody", debiased.QuerySelector("[data-testid=approves-nobody]")!.TextContent.Trim());
        Assert.Null(trained.QuerySelector("[data-testid=approves-nobody]"));
    }

    [Fact]
    public void Home_ShowsDebiasedVersionLineage()
    {
        Catalog.Snapshot = TestData.Catalog();

        var page = Render<Home>();

        var row = page.WaitForElement($"tr:has([data-version-id='{TestData.DebiasedVersionId}'])");
        Assert.Contains("debiased from 0193a1b2…ined, 1357 samples removed", row.TextContent);
    }

    [Fact]
    public void Home_LinksJobThatMadeEachVersion()
    {
        Catalog.Snapshot = TestData.Catalog();

        var page = Render<Home>();

        var debiased = page.WaitForElement($"tr:has([data-version-id='{TestData.DebiasedVersionId}'])");
        var trained = page.Find($"tr:has([data-version-id='{TestData.TrainedVersionId}'])");
        var link = debiased.QuerySelector("[data-testid=version-job] a")!;
        Assert.Equal($"/jobs/{TestData.DebiasJobId}", link.GetAttribute("href"));
        Assert.Equal("0193a1b3…job2", link.TextContent.Trim());
        Assert.Equal("imported", trained.QuerySelector("[data-testid=version-job]")!.TextContent.Trim());
    }

    [Fact]
    public void Home_ShowsLoadingThenEmptyState()
    {
        Catalog.Gate = new TaskCompletionSource();

        var page = Render<Home>();
        Assert.Contains("Loading from the compute server", page.Markup);
        Catalog.Gate.SetResult();

        page.WaitForElement("[data-testid=empty]");
    }

    [Fact]
    public void Home_ShowsComputeErrorMessage()
    {
        Catalog.Error = new ComputeUnavailableException("The compute server at http://127.0.0.1:1 is unreachable.", new RpcException(Status.DefaultCancelled));

        var page = Render<Home>();

        Assert.Equal("The compute server at http://127.0.0.1:1 is unreachable.", page.WaitForElement("[data-testid=load-error]").TextContent.Trim());
    }

    [Fact]
    public void Home_LinksModelVersionsAndShowsAliases()
    {
        var snapshot = TestData.Catalog();
        snapshot.Versions[0].Aliases.Add("champion");
        Catalog.Snapshot = snapshot;

        var page = Render<Home>();

        var trained = page.WaitForElement($"tr:has([data-version-id='{TestData.TrainedVersionId}'])");
        Assert.Equal("champion", trained.QuerySelector("[data-testid=alias-chip]")!.TextContent.Trim());
        Assert.Equal($"/models/{TestData.ModelId}/versions", trained.QuerySelector("[data-testid=versions-link]")!.GetAttribute("href"));
        Assert.Equal("Versions, aliases and release gate of model adult-mlp", trained.QuerySelector("[data-testid=versions-link]")!.GetAttribute("aria-label"));
        Assert.Null(page.Find($"tr:has([data-version-id='{TestData.DebiasedVersionId}'])").QuerySelector("[data-testid=alias-chip]"));
    }

    [Fact]
    public void Home_ShowsGapIntervalsAtFourDecimals()
    {
        var snapshot = TestData.Catalog();
        snapshot.Versions[0].TestReport.Intervals = new ReportIntervals
        {
            Resamples = 1000,
            Level = 0.95,
            Metrics =
            {
                new MetricInterval { Metric = "demographic_parity_difference", Lower = 0.182144, Upper = 0.224681, DefinedResamples = 1000 },
                new MetricInterval { Metric = "equalized_odds_difference", Lower = 0.06127, Upper = 0.13349, DefinedResamples = 1000 },
                new MetricInterval { Metric = "disparate_impact_ratio", UndefinedReason = "undefined in every resample" },
            },
        };
        Catalog.Snapshot = snapshot;

        var page = Render<Home>();

        var row = page.WaitForElement($"tr:has([data-version-id='{TestData.TrainedVersionId}'])");
        var demographicParity = row.QuerySelector("[data-metric=demographic_parity_difference] .interval")!;
        Assert.Equal("[0.1821, 0.2247]", demographicParity.TextContent);
        Assert.Equal("0.1821", demographicParity.GetAttribute("data-lower"));
        Assert.Equal("0.2247", demographicParity.GetAttribute("data-upper"));
        Assert.Equal("95% confidence interval from 0.1821 to 0.2247, 1,000 bootstrap resamples", demographicParity.GetAttribute("aria-label"));
        Assert.Equal("[0.0613, 0.1335]", row.QuerySelector("[data-metric=equalized_odds_difference] .interval")!.TextContent);
        var ratio = row.QuerySelector("[data-metric=disparate_impact_ratio] .interval-gap")!;
        Assert.Equal("no interval", ratio.TextContent);
        Assert.Equal("undefined in every resample", ratio.GetAttribute("data-reason"));
        Assert.Equal("no interval: undefined in every resample", ratio.GetAttribute("aria-label"));
        Assert.Equal("0.3078", row.QuerySelector("[data-metric=disparate_impact_ratio] .metric")!.TextContent);
    }

    [Fact]
    public void Home_VersionStoredWithoutIntervals_ShowsReason()
    {
        const string reason = "not stored: the version was made before the server stored intervals with its test report";
        var report = TestData.ApprovesNobodyReport();
        report.Intervals = new ReportIntervals();
        foreach (string metric in new[] { "demographic_parity_difference", "equalized_odds_difference", "disparate_impact_ratio" })
            report.Intervals.Metrics.Add(new MetricInterval { Metric = metric, UndefinedReason = reason });
        Catalog.Snapshot = TestData.Catalog(report);

        var page = Render<Home>();

        var row = page.WaitForElement($"tr:has([data-version-id='{TestData.DebiasedVersionId}'])");
        var gaps = row.QuerySelectorAll(".interval-gap");
        Assert.Equal(3, gaps.Length);
        Assert.All(gaps, gap => Assert.Equal("no interval", gap.TextContent));
        Assert.All(gaps, gap => Assert.Equal(reason, gap.GetAttribute("data-reason")));
        Assert.Empty(row.QuerySelectorAll(".interval"));
        Assert.DoesNotContain("NaN", row.TextContent);
    }

    [Fact]
    public void Home_NoIntervals_SaysServerSentNone()
    {
        Catalog.Snapshot = TestData.Catalog();

        var page = Render<Home>();

        var row = page.WaitForElement($"tr:has([data-version-id='{TestData.TrainedVersionId}'])");
        var gap = row.QuerySelector("[data-metric=demographic_parity_difference] .interval-gap")!;
        Assert.Equal("the compute server sent no interval for this metric", gap.GetAttribute("data-reason"));
    }
}
