using UnlearnDashboard.Cli;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>Output and exit code of one in-process CLI run.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>A loopback URL where nothing listens, so that any request fails with UNAVAILABLE.</summary>
    public const string ClosedServer = "http://127.0.0.1:9";

    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exitCode = await CliApp.RunAsync(args, stdout, stderr);

        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
