using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Playwright;
using UnlearnDashboard.Browser.Tests.LiveLatency;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>
/// A real compute server with its demo models trained, a real dashboard process talking to it, and Debian's
/// Chromium driven by Playwright. Shared by the tests of one class. The fixture creates one user with a
/// password per role through AccessService, with the admin key from the server's credentials.json, and every
/// page signs in as one of them.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Password of every user the fixture creates; the server requires at least 12 characters.</summary>
    public const string Password = "browser-test-password";

    /// <summary>The fixture's users by role: the role names of credentials.json and the users' names.</summary>
    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        [Roles.Viewer] = "vic",
        [Roles.Engineer] = "erin",
        [Roles.Compliance] = "carol",
        [Roles.Admin] = "ada",
    };

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "unlearn-browser-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _compute;
    private ServerProcess? _web;
    private IPlaywright? _playwright;
    private GrpcChannel? _channel;
    private GrpcChannel? _adminChannel;
    private GrpcChannel? _anonymousChannel;

    public IBrowser Browser { get; private set; } = null!;

    public string WebUrl => _web?.Url ?? throw new InvalidOperationException("The dashboard is not started.");

    public JobService.JobServiceClient Jobs => new(_channel ?? throw new InvalidOperationException("Compute is not started."));

    public ModelService.ModelServiceClient Models => new(_channel!);

    public DatasetService.DatasetServiceClient Datasets => new(_channel!);

    public ComparisonService.ComparisonServiceClient Comparisons => new(_channel!);

    public CounterfactualService.CounterfactualServiceClient Counterfactuals => new(_channel!);

    public AuditService.AuditServiceClient Audit => new(_channel!);

    public VersionService.VersionServiceClient Versions => new(_channel!);

    public ErasureService.ErasureServiceClient Erasures => new(_channel!);

    /// <summary>The dashboard's <c>Access:DataDirectory</c>; its <c>keys</c> folder holds the data protection key ring.</summary>
    public string WebDataDirectory => Path.Combine(_dataDirectory, "web");

    /// <summary>Folder in the test output where each page's screenshot is saved.</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public string ServerLogs => $"--- compute ---\n{_compute?.Log}\n--- web ---\n{_web?.Log}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is missing at {ChromiumPath}. Run 'bash .ci/run', which installs the Debian package chromium, " +
                "or install it with 'apt-get install chromium'.");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        // The live-latency benchmark's fault applies only to jobs on the dataset that benchmark uploads.
        _compute = ServerProcess.Start("ComputeAssembly", ["--DataDirectory", _dataDirectory, .. LiveLatencyBenchmark.ComputeArguments]);

        // The server writes credentials.json before it listens, so the keys exist once it serves.
        await _compute.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        _channel = _compute.CreateChannel();
        // Training the demo models takes about 30 s on an idle 2-core machine and took 163 s under heavy load.
        await WaitForComputeAsync(TimeSpan.FromMinutes(8));
        await CreateUsersAsync();

        // Development serves the static web assets (blazor.web.js, MudBlazor) from the build output, as with
        // dotnet run; other environments expect the published output. The dashboard calls Compute with the
        // session token of whoever signed in.
        _web = ServerProcess.Start("WebAssembly", "--ComputeUrl", _compute.Url, "--environment", "Development",
            "--Access:DataDirectory", WebDataDirectory);
        await WaitForWebAsync(TimeSpan.FromSeconds(60));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// Opens a page in a new browser context, 1400 x 1000 unless <paramref name="options"/> say otherwise, and
    /// signs in as the fixture's user of <paramref name="role"/>, or stays signed out when it is null.
    /// </summary>
    public async Task<IPage> NewPageAsync(string? role = Roles.Engineer, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.ViewportSize ??= new ViewportSize { Width = 1400, Height = 1000 };
        var context = await Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        if (role is not null)
            await SignInAsync(page, Users[role]);
        return page;
    }

    /// <summary>Signs in through the sign-in form and waits for the overview.</summary>
    public async Task SignInAsync(IPage page, string userName, string password = Password)
    {
        await page.GotoAsync(WebUrl + "/login");
        await page.Locator("[data-testid=user-name]").FillAsync(userName);
        await page.Locator("[data-testid=password]").FillAsync(password);
        await page.Locator("[data-testid=sign-in]").ClickAsync();

        // The overview's first load can take more than 90 s, far beyond Playwright's 30 s default, while the other test
        // projects run on the same two cores.
        try
        {
            await page.WaitForURLAsync(WebUrl + "/", new() { Timeout = 180_000 });
        }
        catch (TimeoutException timeout)
        {
            var error = page.Locator("[data-testid=login-error]");
            string errorText = await error.CountAsync() > 0 ? await error.InnerTextAsync() : "no sign-in error";
            throw new TimeoutException($"Signing in as {userName} did not reach the overview; the page is at {page.Url} and shows {errorText}.", timeout);
        }

        await page.Locator("[data-testid=signed-in-user]").WaitForAsync();
    }

    /// <summary>A channel to the compute server that sends no credential.</summary>
    public GrpcChannel AnonymousChannel => _anonymousChannel ??= _compute?.CreateAnonymousChannel()
        ?? throw new InvalidOperationException("Compute is not started.");

    /// <summary>Returns a channel to the compute server that sends <paramref name="secret"/>.</summary>
    public GrpcChannel ChannelWithSecret(string secret) => ComputeCredentials.CreateChannel(_compute!.Url, secret);

    /// <summary>Returns a client of the compute server's AccessService that sends the admin's API key.</summary>
    public AccessService.AccessServiceClient AdminAccess() => new(_adminChannel ?? throw new InvalidOperationException("Compute is not started."));

    private async Task CreateUsersAsync()
    {
        _adminChannel = _compute!.CreateChannel(Roles.Admin);
        var access = AdminAccess();
        foreach (var (role, name) in Users)
        {
            var request = new CreateUserRequest { Name = name, Role = Roles.ToProto(role), Password = Password };
            await access.CreateUserAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
        }
    }

    private async Task WaitForComputeAsync(TimeSpan timeout)
    {
        var health = new Health.HealthClient(_channel!);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            _compute!.ThrowIfExited();
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                var list = await Datasets.ListDatasetsAsync(new ListDatasetsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                    && list.Datasets.Count >= 2 && list.Datasets.All(d => d.DefaultModelVersionId != ""))
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(300);
        }

        throw new TimeoutException($"Compute did not serve trained demo models within {timeout.TotalSeconds} s:\n{_compute!.Log}");
    }

    private async Task WaitForWebAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            _web!.ThrowIfExited();
            try
            {
                using var response = await http.GetAsync(WebUrl + "/healthz");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The dashboard did not answer /healthz within {timeout.TotalSeconds} s:\n{_web!.Log}");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        _channel?.Dispose();
        _adminChannel?.Dispose();
        _anonymousChannel?.Dispose();
        if (_web is not null)
            await _web.DisposeAsync();
        if (_compute is not null)
            await _compute.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover or never created temp folder is harmless.
        }
    }
}

/// <summary>
/// Shares one pair of servers and one browser among every test class of this project, because starting
/// them takes seconds of demo training. The classes run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard servers";
}
