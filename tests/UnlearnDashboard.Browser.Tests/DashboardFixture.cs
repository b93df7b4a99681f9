using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Playwright;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>
/// A real compute server with its demo models trained, a real dashboard process talking to it, and Debian's
/// Chromium driven by Playwright. Shared by the tests of one class.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "unlearn-browser-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _compute;
    private ServerProcess? _web;
    private IPlaywright? _playwright;
    private GrpcChannel? _channel;

    public IBrowser Browser { get; private set; } = null!;

    public string WebUrl => _web?.Url ?? throw new InvalidOperationException("The dashboard is not started.");

    public JobService.JobServiceClient Jobs => new(_channel ?? throw new InvalidOperationException("Compute is not started."));

    public ModelService.ModelServiceClient Models => new(_channel!);

    public DatasetService.DatasetServiceClient Datasets => new(_channel!);

    public ComparisonService.ComparisonServiceClient Comparisons => new(_channel!);

    public CounterfactualService.CounterfactualServiceClient Counterfactuals => new(_channel!);

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
        _compute = ServerProcess.Start("ComputeAssembly", "--DataDirectory", _dataDirectory);

        // The server writes credentials.json before it listens, so the keys exist once it serves.
        await _compute.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        _channel = _compute.CreateChannel();
        // Training the demo models takes about 30 s on an idle 2-core machine and took 163 s under heavy load.
        await WaitForComputeAsync(TimeSpan.FromMinutes(8));

        // Development serves the static web assets (blazor.web.js, MudBlazor) from the build output, as with
        // dotnet run; other environments expect the published output. The dashboard calls Compute with the key
        // of the "dashboard" service user.
        _web = ServerProcess.Start("WebAssembly", "--ComputeUrl", _compute.Url, "--environment", "Development",
            "--Compute:ApiKey", _compute.ApiKey("dashboard"));
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

    public async Task<IPage> NewPageAsync(IBrowserContext? context = null)
    {
        context ??= await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
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
