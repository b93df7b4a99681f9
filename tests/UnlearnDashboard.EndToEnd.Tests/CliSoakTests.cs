using UnlearnDashboard.Cli;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn soak</c> against a real Compute process, with the fewest jobs it accepts.</summary>
[Collection(ComputeCollection.Name)]
public sealed class CliSoakTests(ComputeFixture compute)
{
    [Fact]
    public async Task Soak_11Jobs_ReportsMemoryAndTensors()
    {
        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), 
            "soak", "--server", compute.Server.Url, "--jobs", "11", "--dataset", "german-credit");

        Assert.True(exitCode == ExitCodes.Success, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        string[] rows = output.Split('\n');
        Assert.Equal(11, rows.Count(row => row.Contains(" Succeeded ", StringComparison.Ordinal)));
        Assert.Contains(rows, row => row.StartsWith("live tensors before the first job: ", StringComparison.Ordinal));
        Assert.Contains(rows, row => row.StartsWith("server RSS before the first job: ", StringComparison.Ordinal));
    }
}
