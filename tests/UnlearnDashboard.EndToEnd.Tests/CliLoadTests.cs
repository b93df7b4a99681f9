using UnlearnDashboard.Cli;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn load</c> against a real Compute process, held briefly.</summary>
[Collection(ComputeCollection.Name)]
public sealed class CliLoadTests(ComputeFixture compute)
{
    private static readonly string[] Operations =
        ["WatchJob, open to first event", "WatchJob, live event delivery", "GetJob", "ListVersions"];

    [Fact]
    public async Task Load_150Streams_NoErrors()
    {
        // More streams than one HTTP/2 connection carries by default (100), so some use a second connection.
        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), 
            "load", "--server", compute.Server.Url, "--streams", "150", "--rate", "10", "--seconds", "8", "--dataset", "german-credit");

        Assert.True(exitCode == ExitCodes.Success, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        foreach (string operation in Operations)
        {
            var cells = Row(output, operation);
            Assert.True(int.Parse(cells[0]) > 0, $"{operation}: no calls\n{output}");
            Assert.Equal("0", cells[1]);
        }

        Assert.Contains("of 150", output);
    }

    /// <summary>Returns the cells after the operation's name in its table row: calls, errors and the latencies.</summary>
    private static string[] Row(string output, string operation)
    {
        string line = output.Split('\n').Single(l => l.StartsWith(operation + " ", StringComparison.Ordinal));
        return line[operation.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
