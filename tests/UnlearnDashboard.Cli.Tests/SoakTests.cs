namespace UnlearnDashboard.Cli.Tests;

public sealed class SoakTests
{
    [Theory]
    [InlineData("10")]
    [InlineData("zero")]
    public async Task Soak_JobsBelowBaseline_ReturnsUsageError(string jobs)
    {
        var run = await CliRun.RunAsync("soak", "--jobs", jobs, "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--jobs'", run.Stderr);
        Assert.Contains("[11, 100000]", run.Stderr);
    }
}
