using System.Security.Cryptography;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>The options of <c>unlearn datasets generate</c>: bad paths are usage errors, and the default source is found from any folder.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("unlearn-generate-").FullName;

    [Fact]
    public async Task Generate_EmptyOut_ReturnsOneLineUsageError()
    {
        var run = await CliRun.RunAsync("datasets", "generate", "--rows", "10", "--source", AdultResamplerTests.AdultPath, "--out", "");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Single(run.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains("--out", run.Stderr);
    }

    [Fact]
    public async Task Generate_OutIsFolder_ReturnsUsageErrorNamingPath()
    {
        var run = await CliRun.RunAsync("datasets", "generate", "--rows", "10", "--source", AdultResamplerTests.AdultPath, "--out", _folder);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"'{_folder}'", run.Stderr);
        Assert.Contains("--out", run.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Generate_OutIsSource_ReturnsUsageErrorAndKeepsSource()
    {
        string source = Path.Combine(_folder, "adult.csv");
        File.Copy(AdultResamplerTests.AdultPath, source);
        byte[] before = SHA256.HashData(File.ReadAllBytes(source));
        string sameFile = Path.Combine(_folder, ".", "adult.csv");

        var run = await CliRun.RunAsync("datasets", "generate", "--rows", "10", "--source", source, "--out", sameFile);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--source", run.Stderr);
        Assert.Contains("--out", run.Stderr);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(source)));
        Assert.Equal(["adult.csv"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Generate_DefaultSource_FoundOutsideRepository()
    {
        string output = Path.Combine(_folder, "adult-50.csv");
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "src", "UnlearnDashboard.Engine", "Datasets", "adult.csv")),
            "The test must run outside the repository root, where the old relative default would be found.");

        var run = await CliRun.RunAsync("datasets", "generate", "--rows", "50", "--out", output);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Stderr);
        Assert.Equal(51, File.ReadAllLines(output).Length);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
