namespace UnlearnDashboard.Cli.Tests;

public sealed class InteropCommandTests
{
    [Fact]
    public async Task ModelsImport_MissingSpec_NamesOption()
    {
        var run = await CliRun.RunAsync("models", "import", "model.pt", "--dataset", "adult", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--spec' is required", run.Stderr);
        Assert.Contains("unlearn models import --help", run.Stderr);
    }

    [Fact]
    public async Task ModelsImport_MissingFile_NamesPath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-model.pt");

        var run = await CliRun.RunAsync("models", "import", missing, "--spec", "spec.json", "--dataset", "adult", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"file not found: '{missing}' (given to FILE)", run.Stderr);
    }

    [Fact]
    public async Task ModelsExport_OutputUnderFile_NamesOption()
    {
        string file = Path.GetTempFileName();
        try
        {
            string output = Path.Combine(file, "exported");

            var run = await CliRun.RunAsync("models", "export", "some-version", "--output", output, "--server", CliRun.ClosedServer);

            Assert.Equal(ExitCodes.UsageError, run.ExitCode);
            Assert.Contains($"cannot create folder '{output}' (given to --output), because '{file}' is a file.", run.Stderr);
            Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ModelsExport_MissingFolder_IsNoUsageError()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}", "exported");

        var run = await CliRun.RunAsync("models", "export", "some-version", "--output", missing, "--server", CliRun.ClosedServer);

        // The folder is created only after the download, which fails here on the closed server.
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("UNAVAILABLE", run.Stderr);
        Assert.False(Directory.Exists(missing), "The CLI created the output folder although the export failed.");
    }

    [Fact]
    public async Task DatasetsPreview_ClosedServer_ReportsUnavailable()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "age,sex,income\n30,Male,1\n");
        try
        {
            var run = await CliRun.RunAsync("datasets", "preview", file, "--server", CliRun.ClosedServer);

            Assert.NotEqual(ExitCodes.Success, run.ExitCode);
            Assert.NotEqual(ExitCodes.UsageError, run.ExitCode);
            Assert.NotEmpty(run.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ModelsExport_EmptyOutput_IsUsageError()
    {
        var run = await CliRun.RunAsync("models", "export", "some-version", "--output", "", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--output is empty", run.Stderr);
        Assert.DoesNotContain("Unhandled", run.Stderr);
    }

    [Fact]
    public async Task DatasetsPreview_EmptyFile_SaysSoBeforeSending()
    {
        string file = Path.GetTempFileName();
        try
        {
            var run = await CliRun.RunAsync("datasets", "preview", file, "--server", CliRun.ClosedServer);

            Assert.Equal(ExitCodes.UsageError, run.ExitCode);
            Assert.Contains($"'{file}' (given to FILE) is empty; it needs a header row and at least one data row.", run.Stderr);
            Assert.DoesNotContain("UNAVAILABLE", run.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
