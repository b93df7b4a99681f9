using Bunit;
using Bunit.TestDoubles;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages.Erasures;
using UnlearnDashboard.Web.Tests.Fakes;

namespace UnlearnDashboard.Web.Tests.Pages.Erasures;

public sealed class ErasureRequestsTests : DashboardTestContext
{
    public ErasureRequestsTests()
    {
        Catalog.Snapshot = TestData.Catalog();
    }

    [Fact]
    public void Erasures_ListsCertificates()
    {
        Erasures.Certificates.Add(ErasureCertificateViewTests.Certificate());

        var page = Render<ErasureRequests>();

        var row = page.WaitForElement("[data-testid=erasures] tbody tr");
        Assert.Equal("3", row.QuerySelector("[data-testid=row-count]")!.TextContent);
        Assert.Contains("adult, version 1 → 2", row.TextContent);
        Assert.Equal("true", row.QuerySelector("[data-testid=verification-chip]")!.GetAttribute("data-passed"));
        Assert.Equal("/erasures/erasure-1", row.QuerySelector("[data-testid=certificate-link]")!.GetAttribute("href"));
    }

    [Fact]
    public void Erasures_NoCertificates_ShowsEmptyState()
    {
        var page = Render<ErasureRequests>();

        page.WaitForAssertion(() => Assert.StartsWith("No erasure has been completed yet.", page.Find("[data-testid=empty]").TextContent.Trim()));
    }

    [Fact]
    public void Erasures_ServerError_ShowsMessage()
    {
        Erasures.Error = FakeComputeAccess.Fail(StatusCode.Unavailable, "The compute server at http://127.0.0.1:5001 is unreachable.");

        var page = Render<ErasureRequests>();

        page.WaitForAssertion(() => Assert.Equal("The compute server at http://127.0.0.1:5001 is unreachable.", page.Find("[data-testid=load-error]").TextContent));
    }

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Engineer, "ML engineer")]
    [InlineData(Role.Admin, "admin")]
    public void Erasures_OtherRoles_CannotRequest(Role role, string roleText)
    {
        SignInAs("vic", role);

        var page = Render<ErasureRequests>();

        Assert.Equal($"Only compliance officers can request erasures; you are signed in as vic ({roleText}).", page.Find("[data-testid=role-note]").TextContent.Trim());
        Assert.True(page.Find("[data-testid=erase-submit]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=erase-row-ids]").HasAttribute("disabled"));
    }

    [Fact]
    public void Submit_BadRowId_NamesValue()
    {
        SignInAs("carol", Role.Compliance);
        NavigationManager.NavigateTo($"/erasures?version={TestData.TrainedVersionId}");
        var page = Render<ErasureRequests>();

        page.Find("[data-testid=erase-row-ids]").Input("10, 11x, 12");
        page.Find("[data-testid=erase-layers]").Input("fc3, output");
        page.Find("[data-testid=erase-submit]").Click();

        Assert.Contains("Row id '11x' is not a whole number of at least 0.", page.Markup);
        Assert.Contains("Layer 'output' is not a layer name; use names such as fc2 and fc3, or leave the field empty for the last layer.", page.Markup);
        Assert.Empty(Erasures.Submitted);
    }

    [Fact]
    public void Submit_RowIdTwice_NamesIt()
    {
        SignInAs("carol", Role.Compliance);
        NavigationManager.NavigateTo($"/erasures?version={TestData.TrainedVersionId}");
        var page = Render<ErasureRequests>();

        page.Find("[data-testid=erase-row-ids]").Input("10, 11, 010");
        page.Find("[data-testid=erase-submit]").Click();

        Assert.Contains("Row id 10 is entered twice; enter each row once.", page.Markup);
        Assert.Empty(Erasures.Submitted);
    }

    [Fact]
    public void Submit_WithoutVersionOrRows_ShowsMessages()
    {
        SignInAs("carol", Role.Compliance);
        var page = Render<ErasureRequests>();

        page.Find("[data-testid=erase-submit]").Click();

        Assert.Contains("Choose the model version to erase the rows from.", page.Markup);
        Assert.Contains("Enter at least one row id.", page.Markup);
        Assert.Empty(Erasures.Submitted);
    }

    [Fact]
    public void Submit_RowIds_SendsRequestAndOpensJob()
    {
        SignInAs("carol", Role.Compliance);
        NavigationManager.NavigateTo($"/erasures?version={TestData.TrainedVersionId}");
        var page = Render<ErasureRequests>();

        page.Find("[data-testid=erase-row-ids]").Input("1000, 1001,1002");
        page.Find("[data-testid=erase-reason]").Input("request 17");
        page.Find("[data-testid=erase-submit]").Click();

        page.WaitForAssertion(() => Assert.EndsWith("/jobs/job-erase-1", NavigationManager.Uri));
        var request = Assert.Single(Erasures.Submitted);
        Assert.Equal(TestData.TrainedVersionId, request.ModelVersionId);
        Assert.Equal([1000L, 1001L, 1002L], request.RowIds);
        Assert.Empty(request.Layers);
        Assert.Equal("", request.KeyColumn);
        Assert.Equal("request 17", request.Reason);
        Assert.False(request.SkipRetrain);
    }

    [Fact]
    public void Submit_KeyColumn_SendsValues()
    {
        SignInAs("carol", Role.Compliance);
        NavigationManager.NavigateTo($"/erasures?version={TestData.TrainedVersionId}");
        var page = Render<ErasureRequests>();

        page.Find("input[data-testid=mode-key-column]").Click();
        page.Find("[data-testid=erase-key-column]").Input("customer_id");
        page.Find("[data-testid=erase-key-values]").Input("C-1029, C-2211");
        page.Find("[data-testid=erase-layers]").Input("fc2, fc3");
        page.Find("[data-testid=erase-submit]").Click();

        page.WaitForAssertion(() => Assert.Single(Erasures.Submitted));
        var request = Erasures.Submitted[0];
        Assert.Equal("customer_id", request.KeyColumn);
        Assert.Equal(["C-1029", "C-2211"], request.KeyValues);
        Assert.Empty(request.RowIds);
        Assert.Equal(["fc2", "fc3"], request.Layers);
    }

    [Fact]
    public void Submit_KeyValueTwice_NamesIt()
    {
        SignInAs("carol", Role.Compliance);
        NavigationManager.NavigateTo($"/erasures?version={TestData.TrainedVersionId}");
        var page = Render<ErasureRequests>();

        page.Find("input[data-testid=mode-key-column]").Click();
        page.Find("[data-testid=erase-key-column]").Input("customer_id");
        page.Find("[data-testid=erase-key-values]").Input("C-1029, C-2211, C-1029");
        page.Find("[data-testid=erase-submit]").Click();

        Assert.Contains("Key value 'C-1029' is entered twice; enter each value once.", page.Markup);
        Assert.Empty(Erasures.Submitted);
    }

    [Fact]
    public void Submit_ServerRejection_ShowsMessage()
    {
        SignInAs("carol", Role.Compliance);
        const string Message = "Version 0193a1b2-trained was made on version 1 of dataset adult, which is now at version 2, so its row ids would name other rows.";
        Erasures.SubmitError = FakeComputeAccess.Fail(StatusCode.FailedPrecondition, Message);
        NavigationManager.NavigateTo($"/erasures?version={TestData.TrainedVersionId}");
        var page = Render<ErasureRequests>();

        page.Find("[data-testid=erase-row-ids]").Input("5");
        page.Find("[data-testid=erase-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains(Message, SnackbarMessages));
        Assert.EndsWith("/erasures?version=0193a1b2-trained", NavigationManager.Uri);
    }

    private NavigationManager NavigationManager => Services.GetRequiredService<NavigationManager>();
}
