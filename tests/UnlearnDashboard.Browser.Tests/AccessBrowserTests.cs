using System.Net;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>Sign-in, sign-out, the pages and actions each role gets, and the admin's users page, against real servers.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AccessBrowserTests(DashboardFixture fixture)
{
    private static readonly string[] Pages = ["/", "/requests/new", "/counterfactuals", "/compare", "/audit", "/users", "/erasures", "/account/password"];

    [Fact]
    public async Task SignIn_WrongPassword_ShowsServerMessage()
    {
        var anonymous = new AccessService.AccessServiceClient(fixture.AnonymousChannel);
        var expected = await Assert.ThrowsAsync<RpcException>(async () =>
            await anonymous.SignInAsync(new SignInRequest { UserName = "erin", Password = "not-the-password" }));
        var page = await fixture.NewPageAsync(role: null);

        await page.GotoAsync(fixture.WebUrl + "/login");
        await page.Locator("[data-testid=user-name]").FillAsync("erin");
        await page.Locator("[data-testid=password]").FillAsync("not-the-password");
        await page.Locator("[data-testid=sign-in]").ClickAsync();

        Assert.Equal(StatusCode.Unauthenticated, expected.StatusCode);
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToHaveTextAsync(expected.Status.Detail);
        await Assertions.Expect(page.Locator("[data-testid=password]")).ToHaveValueAsync("");
        await Screen.ScreenshotAsync(page, fixture, "sign-in-error");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task EveryPage_RequiresSignIn()
    {
        var page = await fixture.NewPageAsync(role: null);

        foreach (string path in Pages.Append("/jobs/some-job"))
        {
            await page.GotoAsync(fixture.WebUrl + path);

            await page.WaitForURLAsync(new Regex("/login\\?returnUrl="));
            Assert.Equal(path, Uri.UnescapeDataString(new Uri(page.Url).Query["?returnUrl=".Length..]));
        }

        await Screen.ScreenshotAsync(page, fixture, "sign-in");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_ReturnsToRequestedPage()
    {
        var page = await fixture.NewPageAsync(role: null);
        await page.GotoAsync(fixture.WebUrl + "/audit");
        await page.WaitForURLAsync(new Regex("/login"));

        await page.Locator("[data-testid=user-name]").FillAsync("vic");
        await page.Locator("[data-testid=password]").FillAsync(DashboardFixture.Password);
        await page.Locator("[data-testid=sign-in]").ClickAsync();

        await page.WaitForURLAsync(fixture.WebUrl + "/audit");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-user]")).ToHaveTextAsync("vic");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task MeetingPack_NeedsSignIn()
    {
        // Only the baseline: the endpoint itself then returns 400, which shows the request got past sign-in.
        string url = fixture.WebUrl + "/reports/meeting-pack?baseline=some-version";
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var anonymous = await http.GetAsync(url);
        var page = await fixture.NewPageAsync(Roles.Viewer);
        var signedIn = await page.Context.APIRequest.GetAsync(url, new() { MaxRedirects = 0 });

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith(fixture.WebUrl + "/login?returnUrl=", anonymous.Headers.Location!.ToString());
        Assert.Equal(400, signedIn.Status);
        Assert.Contains("Pass both version ids", await signedIn.TextAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobsHub_RefusesConnectionWithoutCircuitToken()
    {
        var page = await fixture.NewPageAsync(Roles.Viewer);
        using var http = new HttpClient();

        using var anonymous = await http.PostAsync(fixture.WebUrl + "/hubs/jobs/negotiate?negotiateVersion=1", null);
        // The browser's session cookie is not a circuit token either.
        var withCookie = await page.Context.APIRequest.PostAsync(fixture.WebUrl + "/hubs/jobs/negotiate?negotiateVersion=1");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(401, withCookie.Status);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Engineer)]
    [InlineData(Roles.Compliance)]
    [InlineData(Roles.Admin)]
    public async Task RoleMatrix_EachPageAndAction(string role)
    {
        string setId = await PendingSetAsync();
        var page = await fixture.NewPageAsync(role);

        await Assertions.Expect(page.Locator("[data-testid=signed-in-user]")).ToHaveTextAsync(DashboardFixture.Users[role]);
        await Assertions.Expect(page.Locator("[data-testid=signed-in-role]")).ToHaveTextAsync(RoleText(role));

        // Reads: every role sees the overview and the audit log.
        await page.GotoAsync(fixture.WebUrl + "/");
        await page.Locator("[data-testid=versions]").WaitForAsync();
        await page.GotoAsync(fixture.WebUrl + "/audit");
        await page.Locator("[data-testid=entries]").WaitForAsync();

        // Submitting a request: engineers only.
        await page.GotoAsync(fixture.WebUrl + "/requests/new?dataset=adult");
        await page.Locator("[data-testid=next]").WaitForAsync();
        for (int step = 0; step < 3; step++)
            await page.Locator("[data-testid=next]").ClickAsync();
        var submit = page.Locator("[data-testid=submit]");
        if (role == Roles.Engineer)
        {
            await Assertions.Expect(submit).ToBeEnabledAsync();
            await Assertions.Expect(page.Locator("[data-testid=submit-denied]")).ToHaveCountAsync(0);
        }
        else
        {
            await Assertions.Expect(submit).ToBeDisabledAsync();
            await Assertions.Expect(page.Locator("[data-testid=submit-denied]")).ToContainTextAsync("Only ML engineers can submit requests");
            await Screen.ScreenshotAsync(page, fixture, $"wizard-{role}");
        }

        // Generating a counterfactual set: engineers only.
        await page.GotoAsync(fixture.WebUrl + "/counterfactuals");
        if (role == Roles.Engineer)
        {
            await Assertions.Expect(page.Locator("[data-testid=generate]")).ToBeVisibleAsync();
        }
        else
        {
            await Assertions.Expect(page.Locator("[data-testid=generate-denied]")).ToContainTextAsync("Only ML engineers can generate counterfactual sets");
            await Assertions.Expect(page.Locator("[data-testid=generate]")).ToHaveCountAsync(0);
        }

        // Approving or rejecting: compliance officers only.
        await page.GotoAsync($"{fixture.WebUrl}/counterfactuals/{setId}");
        await page.Locator("[data-testid=comment]").FillAsync("Checked the proxies.");
        if (role == Roles.Compliance)
        {
            await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeEnabledAsync();
            await Assertions.Expect(page.Locator("[data-testid=reject]")).ToBeEnabledAsync();
        }
        else
        {
            await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeDisabledAsync();
            await Assertions.Expect(page.Locator("[data-testid=reject]")).ToBeDisabledAsync();
            await Assertions.Expect(page.Locator("[data-testid=review-form]")).ToContainTextAsync("Only compliance officers can approve or reject sets");
        }

        // Users and API keys: admins only, in the app bar and at the page's address.
        await page.GotoAsync(fixture.WebUrl + "/users");
        if (role == Roles.Admin)
        {
            await page.Locator("[data-testid=users]").WaitForAsync();
            await Assertions.Expect(page.Locator("[data-testid=nav-users]")).ToBeVisibleAsync();
        }
        else
        {
            await page.WaitForURLAsync(new Regex("/access-denied"));
            await Assertions.Expect(page.Locator("[data-testid=access-denied]")).ToContainTextAsync("this page needs");
            await Screen.ScreenshotAsync(page, fixture, $"access-denied-{role}");
            await Assertions.Expect(page.Locator("[data-testid=nav-users]")).ToHaveCountAsync(0);
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Viewer_CannotSubmitOrApprove()
    {
        string setId = await PendingSetAsync();
        var page = await fixture.NewPageAsync(Roles.Viewer);

        await page.GotoAsync(fixture.WebUrl + "/requests/new?dataset=adult");
        for (int step = 0; step < 3; step++)
            await page.Locator("[data-testid=next]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=submit]")).ToBeDisabledAsync();
        await page.GotoAsync($"{fixture.WebUrl}/counterfactuals/{setId}");
        await page.Locator("[data-testid=comment]").FillAsync("Looks fine to me.");

        await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=reject]")).ToBeDisabledAsync();
        var stored = await fixture.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = setId, PageSize = 1 });
        Assert.Equal(CounterfactualSetStatus.Pending, stored.Set.Status);
        await Screen.ScreenshotAsync(page, fixture, "review-viewer");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_CreatesUserAndKey_ThenRevokesUser()
    {
        string name = "new-" + Guid.NewGuid().ToString("N")[..8];
        var admin = await fixture.NewPageAsync(Roles.Admin);
        await admin.GotoAsync(fixture.WebUrl + "/users");
        await admin.Locator("[data-testid=users]").WaitForAsync();

        await admin.Locator("[data-testid=new-user-name]").FillAsync(name);
        await admin.Locator("[data-testid=new-user-role]").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex("^ML engineer$") }).ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=new-user-role]")).ToHaveValueAsync("ML engineer");
        await admin.Locator("[data-testid=create-user]").ClickAsync();
        string password = (await admin.Locator("[data-testid=secret]").InnerTextAsync()).Trim();
        await Assertions.Expect(admin.Locator($"[data-testid=users] tr[data-user='{name}']")).ToContainTextAsync("ML engineer");
        await Screen.ScreenshotAsync(admin, fixture, "users-generated-password");

        await admin.Locator("[data-testid=new-key-user]").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex($"^{name}$") }).ClickAsync();
        await admin.Locator("[data-testid=new-key-description]").FillAsync("browser test");
        await admin.Locator("[data-testid=create-key]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=secret-panel]")).ToContainTextAsync($"for {name}");
        string secret = (await admin.Locator("[data-testid=secret]").InnerTextAsync()).Trim();
        await Screen.ScreenshotAsync(admin, fixture, "users-and-keys");

        using (var channel = fixture.ChannelWithSecret(secret))
        {
            var identity = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());
            Assert.Equal(name, identity.UserName);
            Assert.Equal(Role.Engineer, identity.Role);
        }

        string keyId = (await admin.Locator("[data-testid=keys] tr").Filter(new() { HasText = "browser test" }).GetAttributeAsync("data-key-id"))!;
        await admin.Locator($"[data-testid=keys] tr[data-key-id='{keyId}'] [data-testid=rotate-key]").ClickAsync();
        await admin.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Rotate", Exact = true }).ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=secret-panel]")).ToContainTextAsync($"which replaces {keyId}");
        string rotated = (await admin.Locator("[data-testid=secret]").InnerTextAsync()).Trim();
        using (var channel = fixture.ChannelWithSecret(secret))
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest()));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }

        secret = rotated;
        using (var channel = fixture.ChannelWithSecret(secret))
            Assert.Equal(name, (await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest())).UserName);

        var user = await fixture.NewPageAsync(role: null);
        await fixture.SignInAsync(user, name, password);
        await Assertions.Expect(user.Locator("[data-testid=signed-in-role]")).ToHaveTextAsync("ML engineer");

        await user.GotoAsync(fixture.WebUrl + "/counterfactuals");
        await user.Locator("[data-testid=generate]").WaitForAsync();

        await admin.Locator($"[data-testid=users] tr[data-user='{name}'] [data-testid=revoke-user]").ClickAsync();
        await admin.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Assertions.Expect(admin.Locator($"[data-testid=users] tr[data-user='{name}']")).ToContainTextAsync("revoked");

        // The revoked user's session ends: the next call the open page makes sends it to the sign-in page,
        // and so does the next page load.
        await user.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await user.WaitForURLAsync(new Regex("/login\\?returnUrl=%2Fcounterfactuals"));
        await user.GotoAsync(fixture.WebUrl + "/audit");
        await user.WaitForURLAsync(new Regex("/login"));
        await user.Locator("[data-testid=user-name]").FillAsync(name);
        await user.Locator("[data-testid=password]").FillAsync(password);
        await user.Locator("[data-testid=sign-in]").ClickAsync();
        await Assertions.Expect(user.Locator("[data-testid=login-error]")).ToBeVisibleAsync();
        using (var channel = fixture.ChannelWithSecret(secret))
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest()));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }

        await user.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task ChangePassword_OwnPassword_NewOneSignsIn()
    {
        string name = "pw-" + Guid.NewGuid().ToString("N")[..8];
        const string Old = "the old browser passphrase";
        const string New = "the new browser passphrase";
        await fixture.AdminAccess().CreateUserAsync(new CreateUserRequest { Name = name, Role = Role.Viewer, Password = Old });
        var page = await fixture.NewPageAsync(role: null);
        await fixture.SignInAsync(page, name, Old);

        await page.Locator("[data-testid=nav-password]").ClickAsync();
        await page.Locator("[data-testid=current-password]").FillAsync(Old);
        await page.Locator("[data-testid=new-password]").FillAsync(New);
        await page.Locator("[data-testid=confirm-password]").FillAsync(New);
        await page.Locator("[data-testid=change-password]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=password-changed]")).ToBeVisibleAsync();
        await Screen.ScreenshotAsync(page, fixture, "password-changed");

        // The sign-out page asks for confirmation while the dashboard still trusts its last session check; once it
        // asks the compute server again, the ended session sends the browser straight to the sign-in page.
        await page.Locator("[data-testid=sign-in-again]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/(sign-out|login)"));
        if (page.Url.Contains("/sign-out", StringComparison.Ordinal))
            await page.Locator("[data-testid=confirm-sign-out]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/login"));
        await page.Locator("[data-testid=user-name]").FillAsync(name);
        await page.Locator("[data-testid=password]").FillAsync(Old);
        await page.Locator("[data-testid=sign-in]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToBeVisibleAsync();
        await fixture.SignInAsync(page, name, New);
        await Assertions.Expect(page.Locator("[data-testid=signed-in-user]")).ToHaveTextAsync(name);
        var entries = await fixture.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "password.set", Actor = name });
        Assert.Single(entries.Entries);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignOut_EndsSession()
    {
        var page = await fixture.NewPageAsync(Roles.Viewer);
        var logoutsBefore = await LogoutsAsync();

        await page.Locator("[data-testid=sign-out]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/sign-out"));
        var confirm = page.Locator("[data-testid=confirm-sign-out]");
        await Assertions.Expect(confirm).ToBeVisibleAsync();
        await Screen.ScreenshotAsync(page, fixture, "sign-out");
        await confirm.ClickAsync();
        await page.WaitForURLAsync(new Regex("/login$"));
        await page.GotoAsync(fixture.WebUrl + "/");

        // The dashboard ended the session token on the compute server too, which records it.
        await page.WaitForURLAsync(new Regex("/login\\?returnUrl="));
        Assert.Equal(logoutsBefore + 1, await LogoutsAsync());
        await page.Context.CloseAsync();
    }

    private async Task<int> LogoutsAsync() =>
        (await fixture.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "logout", Actor = "vic" })).Entries.Count;

    [Fact]
    public async Task Theme_IsRememberedAfterReload()
    {
        var page = await fixture.NewPageAsync(Roles.Viewer);
        var toggle = page.Locator("[data-testid=theme-toggle]");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");

        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await page.ReloadAsync();

        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Context.CloseAsync();
    }

    private static string RoleText(string role) => role switch
    {
        Roles.Engineer => "ML engineer",
        Roles.Compliance => "compliance officer",
        _ => role,
    };

    /// <summary>Generates a small pending counterfactual set as the engineer, through gRPC.</summary>
    private async Task<string> PendingSetAsync()
    {
        var set = await fixture.Counterfactuals.GenerateCounterfactualSetAsync(new GenerateCounterfactualSetRequest
        {
            Dataset = "adult",
            MaxRows = 20,
            SensitiveValueMap = { ["Male"] = "Female", ["Female"] = "Male" },
        });
        return set.Id;
    }
}
