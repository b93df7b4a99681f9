using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>Runs the launcher that the README's first command starts, as a separate process.</summary>
public sealed class AppHostTests
{
    [Theory]
    [InlineData("--compute-url")]
    [InlineData("--web-url")]
    public async Task Launch_PortTaken_FailsBeforeStartingAnything(string takenOption)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        string takenUrl = $"http://127.0.0.1:{takenPort}";
        string freeUrl = $"http://127.0.0.1:{FreePort()}";
        string dataDirectory = Path.Combine(Path.GetTempPath(), "apphost-" + Guid.NewGuid().ToString("N"));

        var (exitCode, output) = await RunAppHostAsync(
            "--compute-url", takenOption == "--compute-url" ? takenUrl : freeUrl,
            "--web-url", takenOption == "--web-url" ? takenUrl : freeUrl,
            "--data-directory", dataDirectory);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{takenUrl} is already in use", output);
        Assert.Contains(takenOption, output);
        Assert.DoesNotContain("Press Ctrl+C", output);
        Assert.False(Directory.Exists(dataDirectory), $"the launcher created {dataDirectory}");
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData("0.0.0.0", "127.0.0.1")]
    public async Task Launch_SamePortForBoth_FailsBeforeStartingAnything(string computeHost, string webHost)
    {
        int port = FreePort();
        string computeUrl = $"http://{computeHost}:{port}";
        string webUrl = $"http://{webHost}:{port}";
        string dataDirectory = Path.Combine(Path.GetTempPath(), "apphost-" + Guid.NewGuid().ToString("N"));

        var (exitCode, output) = await RunAppHostAsync("--compute-url", computeUrl, "--web-url", webUrl, "--data-directory", dataDirectory);

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains($"--compute-url {computeUrl} and --web-url {webUrl} use the same port {port}", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Press Ctrl+C", output);
        Assert.False(Directory.Exists(dataDirectory), $"the launcher created {dataDirectory}");
    }

    private static async Task<(int ExitCode, string Output)> RunAppHostAsync(params string[] arguments)
    {
        string assembly = typeof(AppHostTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AppHostAssembly").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(assembly);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the launcher did not exit within 60 s; output:\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
