using Bunit;
using MudBlazor;
using Bunit.TestDoubles;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class NewRequestTests : DashboardTestContext
{
    public NewRequestTests()
    {
        Catalog.Snapshot = TestData.Catalog();
    }

    [Fact]
    public void Wizard_PreselectsDefaultVersion()
    {
        var page = Render<NewRequest>();

        page.WaitForElement("[data-testid=next]");
        Assert.Equal("adult", page.Find("[data-testid=dataset]").TextContent);
        Assert.StartsWith("0193a1b2…ined (default) · adult-mlp · trained", page.Find("[data-testid=version]").TextContent);
    }

    [Fact]
    public void Wizard_ExplainsFractionOutsideRange()
    {
        var page = GoToMethodStep();

        Input(page, "remove-fraction").Input("0.7");

        Assert.Contains("The remove fraction must be greater than 0 and at most 0.5; 0.7 is outside.", page.Markup);
    }

    [Fact]
    public void Wizard_BlocksNextWhileFractionInvalid()
    {
        var page = GoToMethodStep();
        Input(page, "remove-fraction").Input("0");

        page.Find("[data-testid=next]").Click();

        Assert.Contains("The remove fraction must be greater than 0 and at most 0.5; 0 is outside.", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=submit]"));
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.01", "-0.01")]
    public void Wizard_ExplainsAccuracyLossOutsideRange(string typed, string shown)
    {
        var page = GoToMethodStep();

        Input(page, "max-accuracy-loss").Input(typed);
        page.Find("[data-testid=next]").Click();

        page.WaitForAssertion(() => Assert.Contains($"The largest accuracy loss must be between 0 and 1; {shown} is outside.",
            page.Find("[data-testid=max-accuracy-loss-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=submit]"));
    }

    [Fact]
    public void Wizard_AccuracyLoss_GoesIntoSummaryAndRequest()
    {
        Jobs.Job = new Protos.V1.Job { Id = "job-43" };
        var page = GoToMethodStep();
        Input(page, "max-accuracy-loss").Input("0.01");
        page.Find("[data-testid=next]").Click();

        Assert.Equal("0.01", page.WaitForElement("[data-testid=summary-max-accuracy-loss]").TextContent);
        page.Find("[data-testid=submit]").Click();

        var request = Assert.Single(Jobs.Submitted);
        Assert.True(request.HasMaxAccuracyLoss);
        Assert.Equal(0.01, request.MaxAccuracyLoss);
    }

    [Fact]
    public void Wizard_ExplainsNegativeDamping()
    {
        var page = GoToMethodStep();

        Input(page, "damping").Input("-1");

        Assert.Contains("The damping λ must be a finite number ≥ 0, or empty to let the server choose it.", page.Markup);
    }

    [Fact]
    public void Wizard_ShowsDefaultFractionExplanation()
    {
        var page = GoToMethodStep();

        Assert.Contains("The default 0.05 removes the 5% most harmful samples", page.Markup);
        Assert.Equal("0.05", Input(page, "remove-fraction").GetAttribute("value"));
    }

    [Fact]
    public void Wizard_SubmitsRequestAndOpensJob()
    {
        Jobs.Job = new Protos.V1.Job { Id = "job-42" };
        var page = GoToMethodStep();
        Input(page, "remove-fraction").Input("0.1");
        page.Find("[data-testid=next]").Click();

        page.WaitForElement("[data-testid=submit]").Click();

        var request = Assert.Single(Jobs.Submitted);
        Assert.Equal(TestData.AdultId, request.Dataset);
        Assert.Equal(TestData.TrainedVersionId, request.ModelVersionId);
        Assert.Equal("sex", request.SensitiveAttribute);
        Assert.Equal(0.1, request.RemoveFraction);
        Assert.False(request.HasDamping);
        Assert.False(request.HasNewtonSteps);
        Assert.False(request.HasMaxAccuracyLoss);
        Assert.Empty(request.Layers);
        Assert.False(request.CompareRetrain);
        Assert.Equal(Protos.V1.DebiasMethod.CounterfactualReplacement, request.Method);
        Assert.Equal("", request.CounterfactualSetId);
        var navigation = Services.GetRequiredService<BunitNavigationManager>();
        Assert.EndsWith("/jobs/job-42", navigation.Uri);
    }

    [Fact]
    public async Task Wizard_ChosenApprovedSet_GoesIntoRequest()
    {
        Counterfactuals.Sets.Add(new Protos.V1.CounterfactualSet
        {
            Id = "set-approved", DatasetId = TestData.AdultId, Status = Protos.V1.CounterfactualSetStatus.Approved,
            RequestedBy = "erin", ReviewedBy = "carol", RowCount = 2000,
        });
        var page = GoToMethodStep();

        Assert.Contains("Recommended: ranks training samples by their influence on the bias", page.Markup);
        await page.InvokeAsync(() => page.FindComponents<MudSelect<string>>()
            .Single(select => select.Instance.Label == "Counterfactual set").Instance.ValueChanged.InvokeAsync("set-approved"));
        page.Find("[data-testid=next]").Click();
        page.WaitForElement("[data-testid=submit]").Click();

        var request = Assert.Single(Jobs.Submitted);
        Assert.Equal("set-approved", request.CounterfactualSetId);
        Assert.Contains("set-approved", page.Markup);
    }

    [Fact]
    public async Task Wizard_FineTuneWithoutApprovedSet_BlocksNext()
    {
        var page = GoToMethodStep();

        await page.InvokeAsync(() => page.FindComponent<MudSelect<Protos.V1.DebiasMethod>>().Instance.ValueChanged
            .InvokeAsync(Protos.V1.DebiasMethod.CounterfactualFineTune));
        page.Find("[data-testid=next]").Click();

        Assert.Contains("Counterfactual fine-tuning needs an approved counterfactual set, and this dataset has none.", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=submit]"));
    }

    [Fact]
    public async Task Wizard_NewtonMethod_HidesCounterfactualSet()
    {
        var page = GoToMethodStep();

        await page.InvokeAsync(() => page.FindComponent<MudSelect<Protos.V1.DebiasMethod>>().Instance.ValueChanged
            .InvokeAsync(Protos.V1.DebiasMethod.InfluenceNewton));

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=counterfactual-set]")));
    }

    [Fact]
    public async Task Wizard_DataFree_OmitsRankingFields()
    {
        Jobs.Job = new Protos.V1.Job { Id = "job-44" };
        Counterfactuals.Sets.Add(new Protos.V1.CounterfactualSet
        {
            Id = "set-approved", DatasetId = TestData.AdultId, Status = Protos.V1.CounterfactualSetStatus.Approved,
            RequestedBy = "erin", ReviewedBy = "carol", RowCount = 2000,
        });
        var page = GoToMethodStep();

        // Asked for with the default method, the retrain is dropped with the switch to a method that removes no samples.
        await page.InvokeAsync(() => page.FindComponent<MudSwitch<bool>>().Instance.ValueChanged.InvokeAsync(true));
        await page.InvokeAsync(() => page.FindComponent<MudSelect<Protos.V1.DebiasMethod>>().Instance.ValueChanged
            .InvokeAsync(Protos.V1.DebiasMethod.DataFree));

        page.WaitForElement("[data-testid=counterfactual-set]");
        Assert.Empty(page.FindAll("[data-testid=compare-retrain]"));
        Assert.Empty(page.FindAll("[data-testid=remove-fraction]"));
        Assert.Empty(page.FindAll("[data-testid=damping]"));
        Assert.Empty(page.FindAll("[data-testid=newton-steps]"));
        page.Find("[data-testid=next]").Click();
        page.WaitForElement("[data-testid=submit]").Click();
        page.WaitForAssertion(() => Assert.Single(Jobs.Submitted));
        var request = Jobs.Submitted[0];
        Assert.Equal(Protos.V1.DebiasMethod.DataFree, request.Method);
        Assert.False(request.HasRemoveFraction);
        Assert.False(request.HasDamping);
        Assert.False(request.HasNewtonSteps);
        Assert.False(request.CompareRetrain);
    }

    [Fact]
    public async Task Wizard_InfluenceNewton_SendsNewtonSteps()
    {
        Jobs.Job = new Protos.V1.Job { Id = "job-45" };
        var page = GoToMethodStep();
        Assert.Empty(page.FindAll("[data-testid=newton-steps]"));

        await page.InvokeAsync(() => page.FindComponent<MudSelect<Protos.V1.DebiasMethod>>().Instance.ValueChanged
            .InvokeAsync(Protos.V1.DebiasMethod.InfluenceNewton));
        page.WaitForElement("[data-testid=newton-steps]");
        Input(page, "newton-steps").Input("3");
        page.Find("[data-testid=next]").Click();
        page.WaitForElement("[data-testid=submit]").Click();

        page.WaitForAssertion(() => Assert.Single(Jobs.Submitted));
        var request = Jobs.Submitted[0];
        Assert.Equal(3, request.NewtonSteps);
        Assert.Equal(0.05, request.RemoveFraction);
    }

    [Fact]
    public void Wizard_ShowsServerErrorInSnackbar()
    {
        Jobs.SubmitError = new ComputeUnavailableException(
            "Model version v9 was not trained on dataset adult; pass a version of a model of that dataset.",
            new RpcException(new Status(StatusCode.InvalidArgument, "x")));
        var page = GoToMethodStep();
        page.Find("[data-testid=next]").Click();

        page.WaitForElement("[data-testid=submit]").Click();

        var message = Assert.Single(SnackbarMessages);
        Assert.Equal("The compute server rejected the request: Model version v9 was not trained on dataset adult; pass a version of a model of that dataset.", message);
        Assert.False(page.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, "remove_fraction must be in (0, 0.5]; got 0.7.")]
    [InlineData(StatusCode.FailedPrecondition, "Counterfactual set cf-1 is pending; a compliance officer must approve it before a job can use it.")]
    [InlineData(StatusCode.NotFound, "Model version 0193a1b2 was not found.")]
    public async Task Wizard_ServerRejection_ShowsStatusDetail(StatusCode code, string detail)
    {
        // The real adapter turns the compute server's status into the exception the page handles.
        var adapter = new ComputeJobs(
            new RejectingJobServiceClient(new RpcException(new Status(code, detail))),
            Options.Create(new ComputeClientOptions()),
            NullLogger<ComputeJobs>.Instance);
        Jobs.SubmitError = await Assert.ThrowsAsync<ComputeUnavailableException>(() => adapter.SubmitDebiasAsync(new DebiasRequest(), CancellationToken.None));
        var page = GoToMethodStep();
        page.Find("[data-testid=next]").Click();

        page.WaitForElement("[data-testid=submit]").Click();

        var message = Assert.Single(SnackbarMessages);
        Assert.Equal($"The compute server rejected the request: {detail}", message);
        Assert.Single(Jobs.Submitted);
    }

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Compliance, "compliance officer")]
    [InlineData(Role.Admin, "admin")]
    public void Wizard_OtherRoles_CannotSubmit(Role role, string roleText)
    {
        SignInAs("vic", role);
        var page = GoToMethodStep();

        page.Find("[data-testid=next]").Click();

        Assert.True(page.WaitForElement("[data-testid=submit]").HasAttribute("disabled"));
        Assert.Equal($"Only ML engineers can submit requests; you are signed in as vic ({roleText}). You can still walk through the steps.",
            page.Find("[data-testid=submit-denied]").TextContent.Trim());
    }

    [Fact]
    public void Wizard_Engineer_CanSubmit()
    {
        var page = GoToMethodStep();

        page.Find("[data-testid=next]").Click();

        Assert.False(page.WaitForElement("[data-testid=submit]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=submit-denied]"));
    }

    [Fact]
    public void Wizard_ShowsEmptyStateWithoutDatasets()
    {
        Catalog.Snapshot = CatalogSnapshot.Empty;

        var page = Render<NewRequest>();

        page.WaitForElement("[data-testid=empty]");
    }

    /// <summary>Returns the input of a MudBlazor field, which carries the data-testid itself or inside its root.</summary>
    private static AngleSharp.Dom.IElement Input(IRenderedComponent<NewRequest> page, string testId)
    {
        var element = page.Find($"[data-testid={testId}]");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input") ?? throw new InvalidOperationException($"No input in {testId}: {element.OuterHtml}");
    }

    private IRenderedComponent<NewRequest> GoToMethodStep()
    {
        var page = Render<NewRequest>();
        page.WaitForElement("[data-testid=next]").Click();
        page.Find("[data-testid=next]").Click();
        page.WaitForElement("[data-testid=remove-fraction]");
        return page;
    }

    /// <summary>A JobService client whose SubmitDebias fails with a given status, as the compute server rejects a request.</summary>
    private sealed class RejectingJobServiceClient(RpcException rejection) : JobService.JobServiceClient
    {
        public override AsyncUnaryCall<Job> SubmitDebiasAsync(DebiasRequest request, CallOptions options) =>
            new(Task.FromException<Job>(rejection), Task.FromResult(new Grpc.Core.Metadata()), () => rejection.Status, () => [], () => { });
    }
}
