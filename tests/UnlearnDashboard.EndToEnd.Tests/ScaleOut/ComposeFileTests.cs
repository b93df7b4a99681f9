using System.Diagnostics;
using System.Reflection;

namespace UnlearnDashboard.EndToEnd.Tests.ScaleOut;

/// <summary>
/// The compose files, checked with Debian's docker-compose, which validates and resolves a compose file without a
/// Docker engine.
/// </summary>
public sealed class ComposeFileTests
{
    private const string Password = "compose-test";

    private static readonly string DockerDirectory = Path.Combine(
        typeof(ComposeFileTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "docker");

    private static readonly string ComposeFile = Path.Combine(DockerDirectory, "compose.scale-out.yaml");

    [Fact]
    public async Task SingleServerComposeFile_IsValid_WithBothServices()
    {
        var (exitCode, services, errors) = await RunComposeAsync(Path.Combine(DockerDirectory, "compose.yaml"), Password, "config", "--services");

        Assert.True(exitCode == 0, errors);
        Assert.Equal(["compute", "web"], services.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ComposeFile_IsValid_WithEveryService()
    {
        var (exitCode, services, errors) = await RunComposeAsync(ComposeFile, Password, "config", "--services");

        Assert.True(exitCode == 0, errors);
        Assert.Equal(
            ["compute-1", "compute-2", "postgres", "redis", "web-1", "web-2"],
            services.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ComposeFile_Resolved_SharesDatabaseAndRedis()
    {
        var (exitCode, resolved, errors) = await RunComposeAsync(ComposeFile, Password, "config");

        Assert.True(exitCode == 0, errors);
        Assert.Equal(2, Count(resolved, "Database__Provider: postgres"));
        Assert.Equal(2, Count(resolved, $"Password={Password}"));
        Assert.Equal(2, Count(resolved, "Redis__ConnectionString: redis:6379"));
        Assert.Equal(2, Count(resolved, "- shared-data:/data"));
        Assert.Contains("ComputeUrl: http://compute-1:8080", resolved, StringComparison.Ordinal);
        Assert.Contains("ComputeUrl: http://compute-2:8080", resolved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeFile_NoPassword_IsRejected()
    {
        var (exitCode, _, errors) = await RunComposeAsync(ComposeFile, password: null, "config", "--quiet");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("set POSTGRES_PASSWORD", errors, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunComposeAsync(string file, string? password, params string[] arguments)
    {
        var start = new ProcessStartInfo("docker-compose")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--file");
        start.ArgumentList.Add(file);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Remove("POSTGRES_PASSWORD");
        if (password is not null)
            start.Environment["POSTGRES_PASSWORD"] = password;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose did not start");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException(
                "docker-compose is missing; 'bash .ci/run' installs it, or run 'apt-get install docker-compose'.", error);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode, await output, await errors);
        }
    }

    private static int Count(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
