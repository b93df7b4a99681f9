using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages.Counterfactuals;

namespace UnlearnDashboard.Web.Tests.Pages.Counterfactuals;

public sealed class CounterfactualSetsTests : DashboardTestContext
{
    public CounterfactualSetsTests()
    {
        Catalog.Snapshot = TestData.Catalog();
    }

    [Fact]
    public void List_ShowsDecisions()
    {
        Counterfactuals.Sets.Add(new CounterfactualSet
        {
            Id = "set-9", DatasetId = TestData.AdultId, Status = CounterfactualSetStatus.Rejected, RequestedBy = "erin",
            ReviewedBy = "carol", ReviewComment = "Race proxies missing.", RowCount = 2000,
        });

        var page = Render<CounterfactualSets>();

        var row = page.WaitForElement("[data-testid=sets] tr[data-set-id=set-9]");
        Assert.Equal("rejected", row.QuerySelector("[data-testid=status]")!.GetAttribute("data-status"));
        Assert.Contains("rejected by carol", row.TextContent);
        Assert.Contains("“Race proxies missing.”", row.TextContent);
        Assert.Contains("adult", row.TextContent);
    }

    [Fact]
    public void Generate_DefaultMap_SwapsGroups()
    {
        var page = Render<CounterfactualSets>();
        page.WaitForElement("[data-testid=generate]");

        page.Find("[data-testid=proxy-maps]").Input("relationship: Husband=Wife, Wife=Husband");
        page.Find("[data-testid=generate]").Click();

        var request = Assert.Single(Counterfactuals.Generated);
        Assert.Equal(TestData.AdultId, request.Dataset);
        Assert.Equal("erin", request.RequestedBy);
        Assert.Equal(2000, request.MaxRows);
        Assert.Equal(new Dictionary<string, string> { ["Female"] = "Male", ["Male"] = "Female" }, request.SensitiveValueMap);
        Assert.Equal("relationship", Assert.Single(request.ProxyMaps).Column);
        Assert.EndsWith("/counterfactuals/set-1", Services.GetRequiredService<BunitNavigationManager>().Uri);
    }

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Compliance, "compliance officer")]
    [InlineData(Role.Admin, "admin")]
    public void Generate_OtherRoles_SeeWhyNot(Role role, string roleText)
    {
        SignInAs("carol", role);

        var page = Render<CounterfactualSets>();
        page.WaitForElement("[data-testid=generate-denied]");

        Assert.Equal($"Only ML engineers can generate counterfactual sets; you are signed in as carol ({roleText}).",
            page.Find("[data-testid=generate-denied]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=generate]"));
    }

    [Fact]
    public void Generate_RequesterIsSignedInUser()
    {
        var page = Render<CounterfactualSets>();
        page.WaitForElement("[data-testid=generate]");

        var requester = page.Find("[data-testid=requested-by]");

        Assert.Equal("erin", requester.GetAttribute("value"));
        Assert.True(requester.HasAttribute("readonly"));
    }

    [Fact]
    public void Generate_MalformedProxyLine_ExplainsAndSendsNothing()
    {
        var page = Render<CounterfactualSets>();
        page.WaitForElement("[data-testid=generate]");

        page.Find("[data-testid=proxy-maps]").Input("relationship Husband=Wife");
        page.Find("[data-testid=generate]").Click();

        Assert.Contains("'relationship Husband=Wife' does not start with a column name and a colon.", page.Markup);
        Assert.Empty(Counterfactuals.Generated);
    }

    [Theory]
    [InlineData("Male=Female, Male=Other", "'Male' is mapped twice.")]
    [InlineData("Male", "'Male' is not a FROM=TO pair.")]
    [InlineData("", "Enter at least one FROM=TO pair.")]
    public void ParsePairs_Invalid_NamesThePart(string text, string error)
    {
        var (map, message) = ValueMapText.ParsePairs(text);

        Assert.Null(map);
        Assert.Equal(error, message);
    }

    [Fact]
    public void DefaultMap_ThreeGroups_Cycles()
    {
        Assert.Equal("A=B, B=C, C=A", ValueMapText.DefaultSensitiveMap(["A", "B", "C"]));
    }
}
