using Bunit;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class JobViewTests : DashboardTestContext
{
    public JobViewTests()
    {
        Jobs.Job = new Job
        {
            Id = "job-1",
            Kind = JobKind.Debias,
            State = JobState.Running,
            DebiasRequest = new DebiasRequest { Dataset = "adult", RemoveFraction = 0.05 },
        };
    }

    [Fact]
    public void JobView_SubscribesFromFirstEvent()
    {
        var page = RenderJob();

        page.WaitForAssertion(() => Assert.Equal("job-1", Events.JobId));
        Assert.Equal(0, Events.AfterSequence);
    }

    [Fact]
    public async Task JobView_GrowsChartsWithEachStep()
    {
        var page = RenderJob();

        await PushAsync(TestData.Progress(1, "ranking", 0.05));
        await PushAsync(TestData.Progress(2, "unlearning", 0.45, new StepMetrics { Step = 1, BiasObjective = 0.21 }));
        await PushAsync(TestData.Progress(3, "evaluating", 0.55, new StepMetrics
        {
            Step = 2,
            BiasObjective = 0.15,
            Accuracy = 0.849,
            DemographicParityDifference = 0.155,
            SelectionRates = new Dictionary<string, double> { ["Female"] = 0.12, ["Male"] = 0.275 },
        }));

        page.WaitForAssertion(() => Assert.Equal("evaluating", page.Find("[data-testid=phase]").TextContent));
        Assert.Equal("0.21;0.15", Series(page, "chart-bias", "bias objective (validation)"));
        Assert.Equal(";0.155", Series(page, "chart-bias", "DP difference"));
        Assert.Equal(";0.849", Series(page, "chart-accuracy", "accuracy"));
        Assert.Equal(";0.12", Series(page, "chart-selection", "Female"));
        Assert.Equal(";0.275", Series(page, "chart-selection", "Male"));
        Assert.Equal("0.55", page.Find("[data-testid=progress]").GetAttribute("data-fraction"));
        Assert.Equal("3", page.Find("[data-testid=message]").GetAttribute("data-last-sequence"));
        Assert.Equal(["1", "2", "3"], page.FindAll("[data-testid=event-log] tr[data-sequence]").Select(row => row.GetAttribute("data-sequence")!));
    }

    [Fact]
    public async Task JobView_EnablesCancelOnlyWhileRunning()
    {
        var page = RenderJob();
        page.WaitForAssertion(() => Assert.Equal("job-1", Events.JobId));
        bool disabledWhileRunning = page.Find("[data-testid=cancel]").HasAttribute("disabled");

        await PushAsync(TestData.Result(1, TestData.BiasedReport()));

        Assert.False(disabledWhileRunning);
        page.WaitForAssertion(() => Assert.True(page.Find("[data-testid=cancel]").HasAttribute("disabled")));
    }

    [Fact]
    public async Task JobView_CancelCallsComputeServer()
    {
        var page = RenderJob();
        page.WaitForAssertion(() => Assert.Equal("job-1", Events.JobId));

        // The page re-renders every second, so find and click on the renderer's thread, where no render can come between.
        await page.InvokeAsync(() => page.Find("[data-testid=cancel]").Click());

        Assert.Equal(["job-1"], Jobs.Cancelled);
        Assert.Equal(["Cancellation requested; the job stops at its next step."], SnackbarMessages);
        Assert.True(page.Find("[data-testid=cancel]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task JobView_ShowsCancelErrorInSnackbar()
    {
        Jobs.CancelError = new ComputeUnavailableException("Job job-1 has already ended.", new RpcException(Status.DefaultCancelled));
        var page = RenderJob();
        page.WaitForAssertion(() => Assert.Equal("job-1", Events.JobId));

        // The page re-renders every second, so find and click on the renderer's thread, where no render can come between.
        await page.InvokeAsync(() => page.Find("[data-testid=cancel]").Click());

        Assert.Equal(["Cancelling failed: Job job-1 has already ended."], SnackbarMessages);
        Assert.False(page.Find("[data-testid=cancel]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task JobView_ShowsBeforeAndAfterMetrics()
    {
        var page = RenderJob();

        await PushAsync(TestData.Result(1, TestData.BiasedReport()));

        var row = page.WaitForElement("[data-testid=metric-table] tr[data-metric=accuracy]");
        Assert.Equal("0.8497", row.QuerySelector("[data-column=before] .metric")!.TextContent);
        Assert.Equal("0.8497", row.QuerySelector("[data-column=after] .metric")!.TextContent);
        Assert.Equal("Succeeded", page.Find("[data-testid=state]").TextContent);
        Assert.Equal(2, page.FindAll("[data-testid=groups-after] tbody tr").Count);
        Assert.Contains("Removed 1357 training samples", page.Find("[data-testid=result-summary]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=speed-up]"));
    }

    [Fact]
    public async Task JobView_WithRetrain_ShowsSpeedUpAndWarnings()
    {
        var page = RenderJob();
        var result = new DebiasResult
        {
            Before = TestData.BiasedReport(),
            After = TestData.BiasedReport(),
            Retrain = TestData.BiasedReport(),
            RemovedSampleCount = 1357,
            Timings = new Timings { RankingSeconds = 0.02, UnlearningSeconds = 0.01, RetrainSeconds = 0.56, RetrainSpeedUp = 18.66 },
            Warnings = { "The equalized odds difference on the test split rose from 0.0967 to 0.1440." },
        };

        await PushAsync(new JobEvent { JobId = "job-1", Sequence = 1, Result = new JobResult { Debias = result } }.ToStreamEvent());

        var speedUp = page.WaitForElement("[data-testid=speed-up]");
        Assert.Equal("Ranking and update ran 18.7\u00d7 faster than the retrain.", speedUp.TextContent);
        Assert.Contains("retrain 0.56 s", page.Find("[data-testid=result-summary]").TextContent);
        Assert.Equal(["The equalized odds difference on the test split rose from 0.0967 to 0.1440."],
            page.FindAll("[data-testid=result-warning]").Select(alert => alert.TextContent.Trim()));
    }

    [Fact]
    public async Task JobView_ShowsEvidenceUnderResult()
    {
        var page = RenderJob();

        await PushAsync(new JobEvent { JobId = "job-1", Sequence = 1, Result = new JobResult { Debias = TestData.DebiasResultWithEvidence() } }.ToStreamEvent());

        var evidence = page.WaitForElement("[data-testid=evidence]");
        Assert.Equal("0.1552", evidence.QuerySelector("[data-testid=evidence-baselines] tr[data-baseline=update] [data-metric=demographic_parity_difference] .metric")!.TextContent);
        Assert.Equal("0.5876", evidence.QuerySelector("[data-testid=evidence-membership] tr[data-model=updated] .metric")!.TextContent);
        Assert.Equal("true", evidence.QuerySelector("[data-testid=levelling-verdict]")!.GetAttribute("data-flagged"));
    }

    [Fact]
    public async Task JobView_HidesEvidenceWhenAbsent()
    {
        var page = RenderJob();

        await PushAsync(TestData.Result(1, TestData.BiasedReport()));

        page.WaitForElement("[data-testid=result]");
        Assert.Empty(page.FindAll("[data-testid=evidence]"));
    }

    [Fact]
    public async Task JobView_ShowsUndefinedRatioAsGap()
    {
        var page = RenderJob();
        await PushAsync(TestData.Progress(1, "evaluating", 0.55, new StepMetrics
        {
            Step = 2,
            DemographicParityDifference = 0,
            SelectionRates = new Dictionary<string, double> { ["Female"] = 0, ["Male"] = 0 },
        }));

        await PushAsync(TestData.Result(2, TestData.ApprovesNobodyReport()));

        var gap = page.WaitForElement("[data-testid=metric-table] tr[data-metric=disparate_impact_ratio] [data-column=after] .metric-gap");
        Assert.Equal("—", gap.TextContent);
        Assert.Equal("privileged group has no positive predictions", gap.GetAttribute("data-reason"));
        Assert.Equal("0.0000", page.Find("[data-testid=metric-table] tr[data-metric=demographic_parity_difference] [data-column=after] .metric").TextContent);
        Assert.Contains("approves nobody", page.Find("[data-testid=approves-nobody]").TextContent);
        Assert.Equal("no positive labels in group Female (0 of 4)",
            page.Find("[data-testid=groups-after] tr[data-group=Female] .metric-gap").GetAttribute("data-reason"));
        Assert.DoesNotContain("NaN", page.Markup);
    }

    [Fact]
    public async Task JobView_ShowsCancelledEnd()
    {
        var page = RenderJob();

        await PushAsync(new JobStreamEvent { JobId = "job-1", Sequence = 1, Kind = JobEventKind.Ended, EndedState = "Cancelled", Message = "Cancelled by request." });

        Assert.Equal("The job ended as Cancelled: Cancelled by request.", page.WaitForElement("[data-testid=ended]").TextContent.Trim());
        Assert.Equal("Cancelled", page.Find("[data-testid=state]").TextContent);
    }

    [Fact]
    public async Task JobView_ShowsStreamFailure()
    {
        var page = RenderJob();
        page.WaitForAssertion(() => Assert.Equal("job-1", Events.JobId));

        await page.InvokeAsync(() => Events.FailAsync("Job job-1 not found."));

        Assert.Equal("Job job-1 not found.", page.WaitForElement("[data-testid=stream-error]").TextContent.Trim());
    }

    [Fact]
    public void JobView_ShowsLoadError()
    {
        Jobs.GetError = new ComputeUnavailableException("Job nope not found.", new RpcException(Status.DefaultCancelled));

        var page = RenderJob();

        Assert.Equal("Job nope not found.", page.WaitForElement("[data-testid=load-error]").TextContent.Trim());
        Assert.True(page.Find("[data-testid=cancel]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task JobView_DisposesSubscription()
    {
        var page = RenderJob();
        page.WaitForAssertion(() => Assert.Equal("job-1", Events.JobId));

        await DisposeComponentsAsync();

        Assert.True(Events.Disposed);
    }

    [Fact]
    public async Task JobView_ShowsErasureResultWithCertificateLink()
    {
        Jobs.Job = new Job
        {
            Id = "job-1",
            Kind = JobKind.Erase,
            State = JobState.Running,
            ErasureRequest = new ErasureRequest { ModelVersionId = TestData.TrainedVersionId, RowIds = { 100, 2000, 30000 } },
        };
        var result = new JobEvent
        {
            JobId = "job-1",
            Sequence = 1,
            Result = new JobResult
            {
                Erasure = new ErasureResult
                {
                    ErasureId = "erasure-1",
                    BaseVersionId = TestData.TrainedVersionId,
                    NewVersionId = "version-new",
                    ErasedRowCount = 3,
                    TrainedRowCount = 2,
                    Verification = new MembershipCheck { Passed = true, Message = "erased AUC 0.5123 is within 0.05 of the retrained AUC 0.5031." },
                    After = TestData.BiasedReport(),
                },
            },
        };
        var page = RenderJob();

        await PushAsync(result.ToStreamEvent());

        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find("[data-testid=state]").TextContent));
        Assert.Contains("erase 3 rows from version 0193a1b2…ined", page.Markup);
        Assert.Equal("Erased 3 rows, 2 of them in the training split; new version version-new.",
            System.Text.RegularExpressions.Regex.Replace(page.Find("[data-testid=result-summary]").TextContent.Trim(), "\\s+", " "));
        Assert.Contains("Verification passed: erased AUC 0.5123 is within 0.05 of the retrained AUC 0.5031.", page.Find("[data-testid=verification]").TextContent);
        Assert.Equal("/erasures/erasure-1", page.Find("[data-testid=certificate-link]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=metric-table]"));
        Assert.Empty(page.FindAll("[data-testid=chart-bias]"));
    }

    private IRenderedComponent<JobView> RenderJob() =>
        Render<JobView>(parameters => parameters.Add(p => p.JobId, "job-1"));

    private async Task PushAsync(JobStreamEvent jobEvent)
    {
        for (int attempt = 0; Events.JobId is null && attempt < 100; attempt++)
            await Task.Delay(10);
        await Events.PushAsync(jobEvent);
    }

    private static string Series(IRenderedComponent<JobView> page, string chart, string name) =>
        page.Find($"[data-testid={chart}] g.series[data-name='{name}']").GetAttribute("data-values")!;
}
