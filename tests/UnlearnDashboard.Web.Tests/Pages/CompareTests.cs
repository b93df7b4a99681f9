using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class CompareTests : DashboardTestContext
{
    public CompareTests()
    {
        Catalog.Snapshot = TestData.Catalog();
        Comparisons.Comparison = Comparison();
    }

    [Fact]
    public void Compare_ShowsMetricCardsWithChanges()
    {
        var page = RenderComparison();

        var card = page.Find("[data-metric=demographic_parity_difference]");
        Assert.Equal("0.2032", card.QuerySelector("[data-column=baseline]")!.TextContent.Trim());
        Assert.Equal("0.1455", card.QuerySelector("[data-column=candidate]")!.TextContent.Trim());
        Assert.Equal("change -0.0577 [-0.0650, -0.0500]", card.QuerySelector("[data-column=change]")!.TextContent.Trim());
        Assert.Contains("change-better", card.QuerySelector("[data-column=change]")!.ClassName);
        Assert.Equal([(TestData.TrainedVersionId, TestData.DebiasedVersionId)], Comparisons.Calls);
    }

    [Fact]
    public void Compare_UndefinedMetric_ShowsGapWithReason()
    {
        var page = RenderComparison();

        var card = page.Find("[data-metric=disparate_impact_ratio]");
        var gap = card.QuerySelector("[data-column=candidate] .metric-gap")!;
        Assert.Equal("—", gap.TextContent);
        Assert.Equal("candidate: privileged group has no positive predictions (Male: 0 of 10147)", gap.GetAttribute("data-reason"));
        Assert.Equal("change undefined", card.QuerySelector("[data-column=change]")!.TextContent.Trim());
    }

    [Fact]
    public void Compare_DrawsFourFifthsBarsPerGroup()
    {
        var page = RenderComparison();

        var female = page.Find("[data-testid=impact-bars] g[data-group=Female]");
        Assert.Equal("0.3079", female.QuerySelector("rect[data-column=baseline]")!.GetAttribute("data-value"));
        Assert.Contains("below", female.QuerySelector("rect[data-column=baseline]")!.GetAttribute("class"));
        Assert.Contains("meets", female.QuerySelector("rect[data-column=candidate]")!.GetAttribute("class"));
        Assert.Single(page.FindAll("line.four-fifths-line"));
    }

    [Fact]
    public void Compare_ListsFlipsLayersAndRemovedRows()
    {
        var page = RenderComparison();

        Assert.Equal("412 of 15060 decisions differ between the versions.", page.Find("[data-testid=flipped-total]").TextContent.Trim());
        Assert.Equal("380", page.Find("[data-testid=flips] tr[data-group=Female] [data-column=now-favourable]").TextContent);
        Assert.Equal("0.0125", page.Find("[data-testid=layers] tr[data-layer=fc3] td:last-child").TextContent.Trim());
        Assert.Contains("1357 training rows were removed for the candidate", page.Find("[data-testid=removed-count]").TextContent);
        Assert.Equal(4, page.FindAll("[data-testid=confusion]").Count);
        Assert.Equal("age 52, sex Female", page.Find("[data-testid=flipped-examples] tr[data-row-id='17'] .features").TextContent);
    }

    [Fact]
    public void Compare_SameVersionTwice_IsRefused()
    {
        NavigateTo($"/compare?baseline={TestData.TrainedVersionId}&candidate={TestData.TrainedVersionId}");

        var page = Render<Compare>();

        Assert.Contains("Pick a candidate other than the baseline.", page.Markup);
        Assert.Empty(Comparisons.Calls);
        Assert.Empty(page.FindAll("[data-testid=metric-cards]"));
    }

    [Fact]
    public void Compare_ServerError_ShowsItsMessage()
    {
        Comparisons.Error = new ComputeUnavailableException("Version 'x' (candidate_version_id) was not found.", new InvalidOperationException("not found"));

        var page = RenderComparison(waitFor: "[data-testid=compare-error]");

        Assert.Equal("Version 'x' (candidate_version_id) was not found.", page.Find("[data-testid=compare-error]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=metric-cards]"));
    }

    [Fact]
    public void Compare_NoVersionsChosen_ExplainsWhatToDo()
    {
        var page = Render<Compare>();

        Assert.Contains("Pick a baseline and a candidate version", page.Find("[data-testid=empty]").TextContent);
        Assert.Empty(Comparisons.Calls);
    }

    [Fact]
    public void MeetingMode_HidesEditingControls()
    {
        var page = RenderComparison(meeting: true);

        Assert.Equal("true", page.Find("[data-testid=compare-page]").GetAttribute("data-meeting"));
        Assert.Empty(page.FindAll("[data-testid=baseline]"));
        Assert.Empty(page.FindAll("[data-testid=candidate]"));
        Assert.Contains("0193a1b2", page.Find("[data-testid=meeting-title]").TextContent);
        Assert.Equal("Leave meeting mode", page.Find("[data-testid=meeting-toggle]").TextContent.Trim());
        Assert.NotEmpty(page.FindAll("[data-testid=metric-cards]"));
    }

    [Fact]
    public void Compare_CandidateApprovesNobody_Warns()
    {
        Comparisons.Comparison.CandidateReport = TestData.ApprovesNobodyReport();

        var page = RenderComparison();

        Assert.Contains("The candidate approves nobody", page.Find("[data-testid=approves-nobody]").TextContent);
    }

    [Fact]
    public void Compare_MeetingValueNotTrue_ShowsNormalPage()
    {
        NavigateTo($"/compare?baseline={TestData.TrainedVersionId}&candidate={TestData.DebiasedVersionId}&meeting=abc");

        var page = Render<Compare>();
        page.WaitForElement("[data-testid=metric-cards]");

        Assert.Equal("false", page.Find("[data-testid=compare-page]").GetAttribute("data-meeting"));
    }

    private IRenderedComponent<Compare> RenderComparison(bool meeting = false, string waitFor = "[data-testid=metric-cards]")
    {
        NavigateTo($"/compare?baseline={TestData.TrainedVersionId}&candidate={TestData.DebiasedVersionId}" + (meeting ? "&meeting=true" : ""));
        var page = Render<Compare>();
        page.WaitForElement(waitFor);
        return page;
    }

    private void NavigateTo(string uri) => Services.GetRequiredService<BunitNavigationManager>().NavigateTo(uri);

    private static VersionComparison Comparison()
    {
        var catalog = TestData.Catalog();
        var comparison = new VersionComparison
        {
            Baseline = catalog.Versions[0],
            Candidate = catalog.Versions[1],
            Split = "test",
            BaselineReport = TestData.BiasedReport(),
            CandidateReport = TestData.BiasedReport(),
            BootstrapResamples = 1000,
            BootstrapLevel = 0.95,
            Removed = new RemovedSampleSummary
            {
                Count = 1357,
                Cells = { new RemovedCell { Group = "Male", Label = true, Removed = 1300, TrainCount = 5800 }, new RemovedCell { Group = "Female", Label = true, Removed = 57, TrainCount = 900 } },
            },
            Metrics =
            {
                new MetricDelta { Metric = "accuracy", Baseline = 0.8497, Candidate = 0.8490, Delta = -0.0007, DeltaLower = -0.0021, DeltaUpper = 0.0007 },
                new MetricDelta { Metric = "demographic_parity_difference", Baseline = 0.20321, Candidate = 0.14552, Delta = -0.05769, DeltaLower = -0.065, DeltaUpper = -0.05 },
                new MetricDelta { Metric = "disparate_impact_ratio", Baseline = 0.3078, UndefinedReason = "candidate: privileged group has no positive predictions (Male: 0 of 10147)" },
            },
            Impacts =
            {
                new GroupImpact { Group = "Male", Count = 10147, BaselineRatio = 1, CandidateRatio = 1 },
                new GroupImpact { Group = "Female", Count = 4913, BaselineRatio = 0.30785, CandidateRatio = 0.85, BaselineBelowFourFifths = true },
            },
            Flips =
            {
                new DecisionFlips { Group = "Male", Count = 10147, NowFavourable = 2, NowUnfavourable = 30 },
                new DecisionFlips { Group = "Female", Count = 4913, NowFavourable = 380, NowUnfavourable = 0 },
            },
            FlippedExamples =
            {
                new FlippedRow { RowId = 17, Group = "Female", Label = true, BaselineProbability = 0.31, CandidateProbability = 0.62, Features = { ["sex"] = "Female", ["age"] = "52" } },
            },
            Layers =
            {
                new LayerDelta { Layer = "fc1", DeltaNorm = 0, RelativeChange = 0 },
                new LayerDelta { Layer = "fc3", DeltaNorm = 0.04, RelativeChange = 0.0125 },
            },
        };
        return comparison;
    }
}
