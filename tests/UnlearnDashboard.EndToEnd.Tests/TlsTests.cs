using System.Net;
using System.Text.RegularExpressions;
using UnlearnDashboard.Cli;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>A Compute process serving HTTPS with a self-signed certificate made by the test, without demo seeding.</summary>
public sealed class TlsComputeFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unlearn-tls-").FullName;
    private ServerProcess? _server;

    public TestCertificate Certificate { get; private set; } = null!;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("Compute has not started.");

    /// <summary>The server's address: ServerProcess passes an http:// URL, on whose port the server then serves HTTPS.</summary>
    public string HttpsUrl => "https://" + Server.Url["http://".Length..];

    public async Task InitializeAsync()
    {
        Certificate = TestCertificate.Create(_directory);
        _server = ServerProcess.Start("ComputeAssembly",
            "--DataDirectory", Path.Combine(_directory, "data"), "--SeedDemo", "false",
            "--Tls:CertificatePath", Certificate.CertificatePath, "--Tls:KeyPath", Certificate.KeyPath);
        await _server.WaitForLogAsync("Now listening on: https://", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>HTTPS on the compute server and the dashboard, and clients that trust a given certificate.</summary>
public sealed partial class TlsTests(TlsComputeFixture compute) : IClassFixture<TlsComputeFixture>
{
    [Fact]
    public async Task Cli_TrustedCertificate_CallsOverTls()
    {
        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "whoami", "--server", compute.HttpsUrl, "--ca-certificate", compute.Certificate.CertificatePath);

        Assert.True(exitCode == ExitCodes.Success, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.Contains("user: engineer", output);
    }

    [Fact]
    public async Task Cli_UntrustedCertificate_FailsNamingTheOption()
    {
        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), "whoami", "--server", compute.HttpsUrl);

        Assert.True(exitCode == ExitCodes.Failure, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.Contains("UntrustedRoot", error);
        Assert.Contains("The server's TLS certificate is not trusted", error);
        Assert.Contains("--ca-certificate PATH", error);
    }

    [Fact]
    public async Task Cli_MissingCaFile_IsUsageError()
    {
        string missing = Path.Combine(Path.GetTempPath(), "unlearn-no-such-ca.pem");

        var (exitCode, _, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "whoami", "--server", compute.HttpsUrl, "--ca-certificate", missing);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains($"--ca-certificate '{missing}' does not exist", error);
    }

    [Fact]
    public async Task HealthCheck_CaCertificate_ReportsServing()
    {
        var trusted = await HealthCheckCommandTests.RunHealthCheckAsync(compute.HttpsUrl, compute.Certificate.CertificatePath);
        var untrusted = await HealthCheckCommandTests.RunHealthCheckAsync(compute.HttpsUrl);

        Assert.True(trusted.ExitCode == 0, trusted.Output);
        Assert.Contains("Serving", trusted.Output);
        Assert.Equal(1, untrusted.ExitCode);
    }

    [Fact]
    public async Task PythonClient_CaCertificate_ReachesServerOverTls()
    {
        string stubs = Path.Combine(compute.Server.DataDirectory!, "python-stubs");
        var generated = await InteropTests.RunAsync("sh", Path.Combine(InteropTests.ClientFolder, "generate_stubs.sh"), stubs);
        Assert.True(generated.ExitCode == 0, $"generate_stubs.sh exited with {generated.ExitCode}:\n{generated.Output}\n{generated.Error}");
        string[] arguments =
        [
            Path.Combine(InteropTests.ClientFolder, "debias_example.py"), "--stubs", stubs, "--server", new Uri(compute.HttpsUrl).Authority,
            "--api-key", compute.Server.ApiKey(), "--dataset", "no-such-dataset", "--sensitive", "sex",
        ];

        var trusted = await InteropTests.RunAsync("/usr/bin/python3", [.. arguments, "--ca-certificate", compute.Certificate.CertificatePath]);
        var untrusted = await InteropTests.RunAsync("/usr/bin/python3", [.. arguments, "--tls"]);

        // The server's NOT_FOUND for the unknown dataset shows that the call got through TLS and authentication.
        Assert.True(trusted.ExitCode == 2, $"exit code {trusted.ExitCode}:\n{trusted.Output}\n{trusted.Error}");
        Assert.Contains("(NOT_FOUND)", trusted.Error);
        Assert.Contains("(UNAVAILABLE)", untrusted.Error);
    }

    [Fact]
    public async Task Dashboard_OverTls_SignsInThroughTlsCompute()
    {
        string password = AdminPassword().Match(compute.Server.Log).Groups[1].Value;
        string webData = Directory.CreateTempSubdirectory("unlearn-tls-web-").FullName;
        await using var web = ServerProcess.Start("WebAssembly",
            "--ComputeUrl", compute.HttpsUrl,
            "--ComputeCaCertificatePath", compute.Certificate.CertificatePath,
            "--Tls:CertificatePath", compute.Certificate.PfxPath,
            "--Tls:Password", TestCertificate.PfxPassword,
            "--Access:DataDirectory", webData);
        await web.WaitForLogAsync("Now listening on: https://", TimeSpan.FromSeconds(60));
        using var http = CreateBrowserClient("https://" + web.Url["http://".Length..]);

        string form = await http.GetStringAsync("/login");
        string token = AntiforgeryField().Match(form).Groups[1].Value;
        using var response = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Form.UserName"] = "admin",
            ["Form.Password"] = password,
            ["Form.ReturnUrl"] = "/",
        }));
        string page = await response.Content.ReadAsStringAsync();
        Directory.Delete(webData, recursive: true);

        Assert.NotEmpty(password);
        Assert.NotEmpty(token);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"status {response.StatusCode}:\n{page}\n{web.Log}");
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("UnlearnDashboard.Session=", StringComparison.Ordinal));
    }

    /// <summary>An HTTP client that keeps cookies, does not follow redirects and trusts only the test certificate.</summary>
    private HttpClient CreateBrowserClient(string baseUrl)
    {
        string thumbprint = compute.Certificate.Certificate.Thumbprint;
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = new CookieContainer(),
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint,
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
    }

    [GeneratedRegex("shown only this once: (\\S+)")]
    private static partial Regex AdminPassword();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
