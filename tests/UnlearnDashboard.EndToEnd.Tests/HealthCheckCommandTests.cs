using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>The compute server's <c>healthcheck</c> command, which the container image uses as its health check.</summary>
public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task HealthCheck_ServingServer_ExitsZero()
    {
        await using var compute = await IsolatedCompute.StartAsync();

        var (exitCode, output) = await RunHealthCheckAsync(compute.Server.Url);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Serving", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_NothingListening_ExitsOne()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, output) = await RunHealthCheckAsync($"http://127.0.0.1:{closedPort}");

        Assert.Equal(1, exitCode);
        Assert.Contains("Health check of", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_InvalidUrl_ExitsOne()
    {
        var (exitCode, output) = await RunHealthCheckAsync("not a url");

        Assert.Equal(1, exitCode);
        Assert.Contains("Invalid URL 'not a url'", output, StringComparison.Ordinal);
    }

    internal static async Task<(int ExitCode, string Output)> RunHealthCheckAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(ComputeProcess.ComputeAssembly);
        start.ArgumentList.Add("healthcheck");
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await standardOutput + await standardError);
    }
}
