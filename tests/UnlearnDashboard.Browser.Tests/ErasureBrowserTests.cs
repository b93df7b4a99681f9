using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>An erasure requested, watched and certified through the dashboard, against real servers.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ErasureBrowserTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Compliance_ErasesAdultRows_CertificateMatchesGrpc()
    {
        string versionId = (await fixture.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult" })).DefaultModelVersionId;
        var page = await fixture.NewPageAsync(Roles.Compliance, new BrowserNewContextOptions { AcceptDownloads = true });

        await page.GotoAsync($"{fixture.WebUrl}/erasures?version={versionId}");
        await page.Locator("[data-testid=erase-row-ids]").FillAsync("100, 2000, 30000");
        await page.Locator("[data-testid=erase-reason]").FillAsync("browser test request");
        await Screen.ScreenshotAsync(page, fixture, "erasure-request");
        await page.Locator("[data-testid=erase-submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/jobs/"));
        string jobId = Screen.JobIdFromUrl(page.Url);
        await page.Locator("[data-testid=certificate-link]").WaitForAsync(new() { Timeout = 180_000 });
        await Assertions.Expect(page.Locator("[data-testid=state]")).ToHaveTextAsync("Succeeded");
        await Screen.ScreenshotAsync(page, fixture, "erasure-job");

        var certificate = await fixture.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = jobId });
        Assert.Equal([100L, 2000L, 30000L], certificate.Rows.Select(row => row.RowId));
        Assert.Equal("carol", certificate.RequestedBy);
        await page.Locator("[data-testid=certificate-link]").ClickAsync();
        await page.Locator("[data-testid=certificate]").WaitForAsync();

        var check = certificate.Verification;
        Assert.True(check.HasErasedAuc);
        Assert.True(check.HasRetrainedAuc);
        await Assertions.Expect(page.Locator("[data-testid=erased-auc]")).ToHaveTextAsync(Screen.Expected(true, check.ErasedAuc));
        await Assertions.Expect(page.Locator("[data-testid=retrained-auc]")).ToHaveTextAsync(Screen.Expected(true, check.RetrainedAuc));
        await Assertions.Expect(page.Locator("[data-testid=reference-auc]")).ToHaveTextAsync(Screen.Expected(true, check.ReferenceAuc));
        await Assertions.Expect(page.Locator("[data-testid=verification-chip]")).ToHaveAttributeAsync("data-passed", check.Passed ? "true" : "false");
        await Assertions.Expect(page.Locator("[data-testid=row-count]")).ToHaveTextAsync(new Regex("^3 \\("));
        await Assertions.Expect(page.Locator("[data-testid=new-version]")).ToHaveTextAsync(certificate.NewVersionId);
        await Assertions.Expect(page.Locator("[data-testid=dataset-versions]")).ToContainTextAsync(
            string.Create(CultureInfo.InvariantCulture, $"version {certificate.PreviousDatasetVersion} → {certificate.NewDatasetVersion}"));
        Assert.Equal(certificate.VersionsAffected,
            await page.Locator("[data-testid=versions-affected] [data-version-id]").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.versionId)"));
        await Screen.ScreenshotAsync(page, fixture, "erasure-certificate");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-json]").ClickAsync());
        string file = Path.Combine(fixture.ScreenshotDirectory, "erasure-certificate.json");
        await download.SaveAsAsync(file);
        Assert.Equal(certificate, JsonParser.Default.Parse<ErasureCertificate>(await File.ReadAllTextAsync(file)));
        var missing = await page.Context.APIRequest.GetAsync(fixture.WebUrl + "/erasures/no-such-erasure/certificate.json", new() { MaxRedirects = 0 });
        Assert.Equal(404, missing.Status);
        Assert.Contains("no-such-erasure", await missing.TextAsync());
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            using var anonymous = await http.GetAsync($"{fixture.WebUrl}/erasures/{certificate.Id}/certificate.json");
            Assert.Equal(System.Net.HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.StartsWith(fixture.WebUrl + "/login?returnUrl=", anonymous.Headers.Location!.ToString());
        }


        await page.GotoAsync(fixture.WebUrl + "/erasures");
        await Assertions.Expect(page.Locator($"[data-testid=certificate-link][data-erasure-id='{certificate.Id}']")).ToHaveCountAsync(1);
        await Screen.ScreenshotAsync(page, fixture, "erasures");
        await page.Context.CloseAsync();
    }
}
