using System.Text.RegularExpressions;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>Promotion, the release gate and rollback on the model versions page, against real servers.</summary>
[Collection(DashboardCollection.Name)]
public sealed class VersionsBrowserTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Compliance_PromotesSeesRejectionAndRollsBack()
    {
        var model = (await fixture.Models.ListModelsAsync(new ListModelsRequest { Dataset = "german-credit" })).Models[0];
        string trainedId = (await fixture.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "german-credit" })).DefaultModelVersionId;
        var job = await fixture.Jobs.SubmitDebiasAsync(new DebiasRequest { Dataset = "german-credit", ModelVersionId = trainedId, Method = DebiasMethod.InfluenceNewton });
        var events = await Screen.WatchAllAsync(fixture.Jobs, job.Id);
        string debiasedId = events[^1].Result.Debias.NewVersionId;
        var trained = await fixture.Models.GetVersionAsync(new GetVersionRequest { VersionId = trainedId });
        Assert.True(trained.TestReport.DisparateImpactRatio < 1, "A gate of ratio at least 1 must reject the trained version.");

        var page = await fixture.NewPageAsync(Roles.Compliance);
        await page.GotoAsync($"{fixture.WebUrl}/models/{model.Id}/versions");
        var trainedRow = page.Locator($"[data-testid=versions] tr[data-version-id='{trainedId}']");
        var debiasedRow = page.Locator($"[data-testid=versions] tr[data-version-id='{debiasedId}']");
        await Assertions.Expect(debiasedRow).ToHaveAttributeAsync("data-depth", "1");
        Assert.Equal(Screen.Expected(true, trained.TestReport.DisparateImpactRatio),
            await Screen.MetricTextAsync(trainedRow.Locator("[data-metric=disparate_impact_ratio]")));

        // A strict gate first, so that promoting the trained version is rejected with the failing rule.
        await page.Locator("[data-testid=gate-min-ratio]").FillAsync("1");
        await page.Locator("[data-testid=gate-max-drop]").FillAsync("1");
        await page.Locator("[data-testid=save-gate]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=gate-summary]")).ToContainTextAsync("disparate impact ratio at least 1, accuracy drop at most 1 (set by carol");
        var gate = await fixture.Versions.GetReleaseGateAsync(new GetReleaseGateRequest { ModelId = model.Id });
        Assert.Equal(1, gate.MinDisparateImpactRatio);
        Assert.Equal(1, gate.MaxAccuracyDrop);

        await trainedRow.Locator("[data-testid=promote-champion]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=gate-expectation]")).ToContainTextAsync("Expected verdict: rejected.");
        await Screen.ScreenshotAsync(page, fixture, "promote-dialog-rejected");
        await page.Locator("[data-testid=promote-confirm]").ClickAsync();
        var rejection = page.Locator(".mud-snackbar").Filter(new() { HasText = "did not pass the release gate" });
        await Assertions.Expect(rejection).ToContainTextAsync("min_disparate_impact_ratio");
        await Assertions.Expect(trainedRow.Locator("[data-testid=verdict-chip]")).ToHaveAttributeAsync("data-passed", "false");
        await Assertions.Expect(page.Locator("tr[data-alias=champion] [data-testid=alias-version]")).ToHaveTextAsync("not set");
        await Screen.ScreenshotAsync(page, fixture, "promote-rejected");

        // A gate that checks only the accuracy drop lets both versions through.
        await page.Locator("[data-testid=gate-min-ratio]").FillAsync("");
        await page.Locator("[data-testid=save-gate]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=gate-summary]")).ToContainTextAsync("disparate impact ratio not checked, accuracy drop at most 1");

        await PromoteAsync(page, trainedRow, "first champion");
        await ExpectChampionAsync(page, model.Id, trainedId);
        await PromoteAsync(page, debiasedRow, "debiased version approved");
        await ExpectChampionAsync(page, model.Id, debiasedId);

        await trainedRow.Locator("[data-testid=promote-champion]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=promote-change]")).ToHaveTextAsync(new Regex("^This rolls the champion back from version .+ to the older version .+\\.$"));
        await Screen.ScreenshotAsync(page, fixture, "promote-dialog-rollback");
        await page.Locator("[data-testid=promote-confirm]").ClickAsync();
        await ExpectChampionAsync(page, model.Id, trainedId);

        var lineage = await fixture.Versions.GetLineageAsync(new GetLineageRequest { VersionId = trainedId });
        Assert.True(lineage.GateVerdict.Passed);
        Assert.Equal("carol", lineage.GateVerdict.DecidedBy);
        await Assertions.Expect(trainedRow.Locator("[data-testid=verdict-chip]")).ToHaveAttributeAsync("data-passed", "true");
        await Screen.ScreenshotAsync(page, fixture, "model-versions");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Viewer_SeesPromoteAndEraseDisabled()
    {
        var model = (await fixture.Models.ListModelsAsync(new ListModelsRequest { Dataset = "adult" })).Models[0];
        var page = await fixture.NewPageAsync(Roles.Viewer);

        await page.Locator($"[data-testid=versions-link][href='/models/{model.Id}/versions']").First.ClickAsync();
        await page.Locator("[data-testid=versions]").WaitForAsync();

        await Assertions.Expect(page.Locator("[data-testid=role-note]")).ToContainTextAsync("you are signed in as vic (viewer)");
        var buttons = page.Locator("[data-testid=promote-champion], [data-testid=mark-candidate]");
        Assert.True(await buttons.CountAsync() >= 2);
        foreach (var button in await buttons.AllAsync())
            await Assertions.Expect(button).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=gate-min-ratio]")).ToHaveCountAsync(0);
        await Screen.ScreenshotAsync(page, fixture, "model-versions-viewer");

        await page.Locator("[data-testid=nav-erasures]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=role-note]")).ToContainTextAsync("Only compliance officers can request erasures");
        await Assertions.Expect(page.Locator("[data-testid=erase-submit]")).ToBeDisabledAsync();
        await page.Context.CloseAsync();
    }

    private static async Task PromoteAsync(IPage page, ILocator row, string reason)
    {
        await row.Locator("[data-testid=promote-champion]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=gate-expectation]")).ToContainTextAsync("Expected verdict: passes.");
        await page.Locator("[data-testid=promote-reason]").FillAsync(reason);
        await page.Locator("[data-testid=promote-confirm]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=promote-change]")).ToHaveCountAsync(0);
    }

    private async Task ExpectChampionAsync(IPage page, string modelId, string versionId)
    {
        await Assertions.Expect(page.Locator("tr[data-alias=champion] [data-testid=alias-version]")).ToHaveAttributeAsync("data-version-id", versionId);
        var aliases = await fixture.Versions.ListAliasesAsync(new ListAliasesRequest { ModelId = modelId });
        Assert.Equal(versionId, aliases.Aliases.Single(alias => alias.Alias == "champion").VersionId);
    }
}
