using Bunit;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages.Counterfactuals;

namespace UnlearnDashboard.Web.Tests.Pages.Counterfactuals;

public sealed class CounterfactualReviewTests : DashboardTestContext
{
    private const string SetId = "set-1";

    public CounterfactualReviewTests()
    {
        Counterfactuals.Sets.Add(new CounterfactualSet
        {
            Id = SetId,
            DatasetId = TestData.AdultId,
            Status = CounterfactualSetStatus.Pending,
            RequestedBy = "erin",
            RowCount = 150,
            ChangedCellCount = 260,
            Source = "training rows",
            Columns = { "age", "sex", "relationship" },
            MappedColumns = { "sex", "relationship" },
            Spec = new GenerateCounterfactualSetRequest
            {
                SensitiveValueMap = { ["Male"] = "Female", ["Female"] = "Male" },
                ProxyMaps = { new ColumnValueMap { Column = "relationship", Values = { ["Husband"] = "Wife", ["Wife"] = "Husband" } } },
            },
        });
        Counterfactuals.Rows[SetId] = Enumerable.Range(0, 150).Select(Pair).ToList();
    }

    [Fact]
    public void Review_MarksChangedCells()
    {
        var page = RenderReview();

        var pair = page.Find("[data-testid=pairs] tbody[data-row-id='0']");
        var sex = pair.QuerySelector("tr.counterfactual td[data-column=sex]")!;
        Assert.Equal("true", sex.GetAttribute("data-changed"));
        Assert.Contains("Female", sex.TextContent);
        Assert.Contains("(changed)", sex.TextContent);
        Assert.Equal("false", pair.QuerySelector("tr.counterfactual td[data-column=age]")!.GetAttribute("data-changed"));
        Assert.Equal("Male", pair.QuerySelector("tr.original td[data-column=sex]")!.TextContent);
        Assert.Contains("relationship: Husband → Wife, Wife → Husband", page.Markup);
    }

    [Fact]
    public void Review_Requester_CannotApprove()
    {
        SignInAs("erin", Role.Compliance);

        var page = RenderReview();

        Assert.Equal("erin", page.Find("[data-testid=reviewer]").GetAttribute("value"));
        Assert.Contains("erin requested this set, so someone else must review it (four-eyes rule).", page.Markup);
        Assert.True(page.Find("[data-testid=approve]").HasAttribute("disabled"));
    }

    [Fact]
    public void Review_RequesterInOtherCase_CannotApprove()
    {
        SignInAs("Erin", Role.Compliance);

        var page = RenderReview();

        Assert.True(page.Find("[data-testid=approve]").HasAttribute("disabled"));
    }

    [Fact]
    public void Review_OtherReviewer_Approves()
    {
        SignInAs("carol", Role.Compliance);
        var page = RenderReview();

        page.Find("[data-testid=comment]").Input("Proxies look right.");
        page.Find("[data-testid=approve]").Click();

        page.WaitForAssertion(() => Assert.Equal("approved", page.Find("[data-testid=status]").GetAttribute("data-status")));
        Assert.StartsWith("approved by carol", page.Find("[data-testid=decision]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=review-form]"));
        Assert.Contains("Set set-1 approved.", SnackbarMessages);
    }

    [Fact]
    public void Review_RejectWithoutComment_IsDisabled()
    {
        SignInAs("carol", Role.Compliance);

        var page = RenderReview();

        Assert.True(page.Find("[data-testid=reject]").HasAttribute("disabled"));
        Assert.False(page.Find("[data-testid=approve]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Engineer, "ML engineer")]
    [InlineData(Role.Admin, "admin")]
    public void Review_OtherRoles_CannotDecide(Role role, string roleText)
    {
        SignInAs("carol", role);

        var page = RenderReview();
        page.Find("[data-testid=comment]").Input("Looks fine.");

        Assert.Contains($"Only compliance officers can approve or reject sets; you are signed in as carol ({roleText}).", page.Markup);
        Assert.True(page.Find("[data-testid=approve]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=reject]").HasAttribute("disabled"));
    }

    [Fact]
    public void Review_PermissionDenied_ShowsServerMessage()
    {
        SignInAs("carol", Role.Compliance);
        Counterfactuals.ReviewError = Fakes.FakeComputeAccess.Fail(
            Grpc.Core.StatusCode.PermissionDenied, "ApproveCounterfactualSet needs the role compliance; the caller is viewer.");
        var page = RenderReview();

        page.Find("[data-testid=approve]").Click();

        Assert.Contains("ApproveCounterfactualSet needs the role compliance; the caller is viewer.", SnackbarMessages);
    }

    [Fact]
    public void Review_LoadMore_ReadsNextPage()
    {
        var page = RenderReview();
        Assert.Equal(100, page.FindAll("[data-testid=pairs] tbody").Count);

        page.Find("[data-testid=load-more]").Click();

        page.WaitForAssertion(() => Assert.Equal(150, page.FindAll("[data-testid=pairs] tbody").Count));
        Assert.Empty(page.FindAll("[data-testid=load-more]"));
    }

    [Fact]
    public void Review_TextFilter_ShowsMatchingPairs()
    {
        var page = RenderReview();

        page.Find("[data-testid=text-filter]").Input("Wife");

        Assert.Equal("Showing 50 of 100 loaded pairs (150 in the set).", page.Find("[data-testid=shown-count]").TextContent);
    }

    [Fact]
    public void Review_WithdrawnSet_NamesErasureWithoutRows()
    {
        Counterfactuals.Sets.Add(new CounterfactualSet
        {
            Id = "set-withdrawn",
            DatasetId = TestData.AdultId,
            Status = CounterfactualSetStatus.Withdrawn,
            RequestedBy = "erin",
            ReviewedBy = "carol",
            ReviewedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc)),
            WithdrawnByErasureId = "erasure-7",
            WithdrawnAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2026, 12, 2, 10, 30, 0, DateTimeKind.Utc)),
            RowCount = 150,
            Source = "training rows",
            Columns = { "age", "sex", "relationship" },
            MappedColumns = { "sex" },
            Spec = new GenerateCounterfactualSetRequest { SensitiveValueMap = { ["Male"] = "Female" } },
        });
        SignInAs("carol", Role.Compliance);

        var page = Render<CounterfactualReview>(parameters => parameters.Add(p => p.SetId, "set-withdrawn"));

        page.WaitForElement("[data-testid=withdrawn]");
        Assert.Equal("withdrawn", page.Find("[data-testid=status]").GetAttribute("data-status"));
        Assert.Equal("/erasures/erasure-7", page.Find("[data-testid=withdrawn] a").GetAttribute("href"));
        Assert.StartsWith("withdrawn by erasure erasure-7 on 2026-12-02 10:30", page.Find("[data-testid=decision]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=pairs]"));
        Assert.Empty(page.FindAll("[data-testid=review-form]"));
    }

    [Fact]
    public void Review_UnknownSet_ShowsServerMessage()
    {
        var page = Render<CounterfactualReview>(parameters => parameters.Add(p => p.SetId, "missing"));

        page.WaitForAssertion(() => Assert.Equal("Counterfactual set 'missing' was not found.", page.Find("[data-testid=load-error]").TextContent));
    }

    private IRenderedComponent<CounterfactualReview> RenderReview()
    {
        var page = Render<CounterfactualReview>(parameters => parameters.Add(p => p.SetId, SetId));
        page.WaitForElement("[data-testid=pairs]");
        return page;
    }

    /// <summary>Every other pair is a husband; the rest are wives.</summary>
    private static CounterfactualRowPair Pair(int i)
    {
        bool husband = i % 2 == 0;
        return new CounterfactualRowPair
        {
            RowId = i,
            Label = i % 3 == 0 ? 1 : 0,
            Original = { "40", husband ? "Male" : "Female", husband ? "Husband" : "Wife" },
            Counterfactual = { "40", husband ? "Female" : "Male", husband ? "Wife" : "Husband" },
            ChangedColumns = { 1, 2 },
        };
    }
}
