using System.Text.RegularExpressions;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>A counterfactual set generated, reviewed and used through the dashboard against real servers.</summary>
[Collection(DashboardCollection.Name)]
public sealed class CounterfactualBrowserTests(DashboardFixture fixture)
{
    [Fact]
    public async Task GenerateReviewApprove_ThenUseInRequest()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.WebUrl + "/counterfactuals");

        await page.Locator("[data-testid=generate-dataset]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex("^adult$") }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=requested-by]")).ToHaveValueAsync(DashboardFixture.Users[Roles.Engineer]);
        await page.Locator("[data-testid=max-rows]").FillAsync("300");
        await page.Locator("[data-testid=proxy-maps]").FillAsync("relationship: Husband=Wife, Wife=Husband");
        await page.Locator("[data-testid=generate]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/counterfactuals/[^/]+$"));
        await page.Locator("[data-testid=pairs]").WaitForAsync();

        string setId = new Uri(page.Url).Segments[^1];
        var stored = await fixture.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = setId, PageSize = 100 });
        Assert.Equal(CounterfactualSetStatus.Pending, stored.Set.Status);
        Assert.Equal(300, stored.Set.RowCount);
        Assert.Equal("erin", stored.Set.RequestedBy);
        Assert.Equal("pending", await page.Locator("[data-testid=status]").First.GetAttributeAsync("data-status"));
        var first = stored.Rows[0];
        var shownPair = page.Locator($"[data-testid=pairs] tbody[data-row-id='{first.RowId}']");
        foreach (int column in first.ChangedColumns)
        {
            string name = stored.Set.Columns[column];
            Assert.Equal("true", await shownPair.Locator($"tr.counterfactual td[data-column='{name}']").GetAttributeAsync("data-changed"));
        }

        Assert.Equal(stored.Set.Columns.Count - first.ChangedColumns.Count,
            await shownPair.Locator("tr.counterfactual td[data-changed=false]").CountAsync());
        await Screen.ScreenshotAsync(page, fixture, "counterfactual-review");

        // The engineer who requested the set sees why they cannot decide on it; a compliance officer decides.
        await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=review-form]")).ToContainTextAsync("Only compliance officers can approve or reject sets");
        var reviewer = await fixture.NewPageAsync(Roles.Compliance);
        await reviewer.GotoAsync(page.Url);
        await Assertions.Expect(reviewer.Locator("[data-testid=reviewer]")).ToHaveValueAsync("carol");
        await reviewer.Locator("[data-testid=comment]").FillAsync("Relationship follows sex; approved.");
        await reviewer.Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(reviewer.Locator("[data-testid=decision]")).ToContainTextAsync("approved by carol");
        await reviewer.Context.CloseAsync();

        var approved = await fixture.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = setId, PageSize = 1 });
        Assert.Equal(CounterfactualSetStatus.Approved, approved.Set.Status);
        Assert.Equal("carol", approved.Set.ReviewedBy);
        Assert.Equal("Relationship follows sex; approved.", approved.Set.ReviewComment);

        await page.GotoAsync(fixture.WebUrl + "/requests/new?dataset=adult");
        await page.Locator("[data-testid=next]").ClickAsync();
        await page.Locator("[data-testid=next]").ClickAsync();
        await page.Locator("[data-testid=counterfactual-set]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = $"{setId[..8]}…{setId[^4..]}" }).ClickAsync();
        await page.Locator("[data-testid=next]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=summary]")).ToContainTextAsync(setId);
        await page.Locator("[data-testid=submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/jobs/"));
        await page.Locator("[data-testid=result]").WaitForAsync(new() { Timeout = 180_000 });

        var job = await fixture.Jobs.GetJobAsync(new GetJobRequest { JobId = Screen.JobIdFromUrl(page.Url) });
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(DebiasMethod.CounterfactualReplacement, job.DebiasRequest.Method);
        Assert.Equal(setId, job.Result.Debias.CounterfactualSetId);

        await page.GotoAsync(fixture.WebUrl + "/audit");
        await page.Locator("[data-testid=subject-filter]").FillAsync($"counterfactual_set/{setId}");
        await page.Locator("[data-testid=search]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=entries] tbody tr").Filter(new() { HasText = "counterfactual_set.approve" })).ToHaveCountAsync(1);
        await page.Locator("[data-testid=verify]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=chain-status]")).ToHaveAttributeAsync("data-intact", "true");
        await Screen.ScreenshotAsync(page, fixture, "audit-log");
        await page.Context.CloseAsync();
    }
}
