using UnlearnDashboard.Cli;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>Runs the <c>unlearn</c> CLI in the test process and captures what it writes.</summary>
internal static class CliRun
{
    /// <summary>Runs the CLI with <paramref name="apiKey"/> as its --api-key.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunWithKeyAsync(string apiKey, params string[] args) =>
        RunAsync([.. args, "--api-key", apiKey]);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
