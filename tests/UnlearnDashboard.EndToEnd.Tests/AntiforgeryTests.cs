using System.Net;
using System.Text.RegularExpressions;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>A dashboard process in front of an isolated compute server, both over plain HTTP on loopback.</summary>
public sealed class DashboardProcessFixture : IAsyncLifetime
{
    private readonly string _webData = Directory.CreateTempSubdirectory("unlearn-antiforgery-web-").FullName;
    private IsolatedCompute? _compute;
    private ServerProcess? _web;

    public ServerProcess Web => _web ?? throw new InvalidOperationException("The dashboard has not started.");

    public IsolatedCompute Compute => _compute ?? throw new InvalidOperationException("Compute has not started.");

    /// <summary>The admin's password, which the compute server logs once on its first start.</summary>
    public string AdminPassword { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _compute = await IsolatedCompute.StartAsync();
        AdminPassword = Regex.Match(_compute.Server.Log, "shown only this once: (\\S+)").Groups[1].Value;
        _web = ServerProcess.Start("WebAssembly", "--ComputeUrl", _compute.Server.Url, "--Access:DataDirectory", _webData);
        await _web.WaitForLogAsync("Now listening on: http://", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_web is not null)
            await _web.DisposeAsync();
        if (_compute is not null)
            await _compute.DisposeAsync();
        Directory.Delete(_webData, recursive: true);
    }
}

/// <summary>The dashboard's forms, sign-in and sign-out, reject a POST without the antiforgery token of the form.</summary>
public sealed partial class AntiforgeryTests(DashboardProcessFixture dashboard) : IClassFixture<DashboardProcessFixture>
{
    private const string SessionCookie = "UnlearnDashboard.Session=";

    [Fact]
    public async Task SignIn_WithoutToken_IsRejected()
    {
        using var http = CreateBrowserClient();
        await http.GetStringAsync("/login");

        using var response = await http.PostAsync("/login", SignInForm(token: null));
        string body = await response.Content.ReadAsStringAsync();

        Assert.NotEmpty(dashboard.AdminPassword);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"status {response.StatusCode}:\n{body}");
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(SessionCookie, StringComparison.Ordinal)),
            "a session cookie was set without an antiforgery token");
    }

    [Fact]
    public async Task SignIn_WithToken_SetsSession()
    {
        using var http = CreateBrowserClient();

        using var response = await SignInAsync(http);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(SessionCookie, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOut_WithoutToken_KeepsSession()
    {
        using var http = CreateBrowserClient();
        using var signIn = await SignInAsync(http);

        using var signOut = await http.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));
        string body = await signOut.Content.ReadAsStringAsync();
        using var audit = await http.GetAsync("/audit");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Contains("The sign-out form is missing its antiforgery token", body);
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
    }

    /// <summary>Signs in as the admin through the sign-in form, with the form's antiforgery token.</summary>
    private async Task<HttpResponseMessage> SignInAsync(HttpClient http)
    {
        string form = await http.GetStringAsync("/login");
        string token = AntiforgeryField().Match(form).Groups[1].Value;
        Assert.NotEmpty(token);
        return await http.PostAsync("/login", SignInForm(token));
    }

    private FormUrlEncodedContent SignInForm(string? token)
    {
        var fields = new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Form.UserName"] = "admin",
            ["Form.Password"] = dashboard.AdminPassword,
            ["Form.ReturnUrl"] = "/",
        };
        if (token is not null)
            fields["__RequestVerificationToken"] = token;
        return new FormUrlEncodedContent(fields);
    }

    /// <summary>An HTTP client that keeps cookies, as a browser does, and does not follow redirects.</summary>
    private HttpClient CreateBrowserClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(dashboard.Web.Url),
        };

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
