using System.Text.Json;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn bench-scale</c> on a small generated dataset, against a real Compute process with worker processes.</summary>
[Collection(ComputeCollection.Name)]
public sealed class CliScaleBenchTests(ComputeFixture compute)
{
    [Fact]
    public async Task BenchScale_10000Rows_ReportsPhasesAndWorkerPeaks()
    {
        string folder = Directory.CreateTempSubdirectory("unlearn-bench-scale-").FullName;
        string json = Path.Combine(folder, "scale.json");
        string adult = Path.Combine(Path.GetDirectoryName(ComputeProcess.ComputeAssembly)!, "Datasets", "adult.csv");

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "bench-scale", "--server", compute.Server.Url, "--rows", "10000", "--epochs", "1",
            "--folder", folder, "--source", adult, "--json", json);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.Contains("train peak MiB", output);
        Assert.True(File.Exists(Path.Combine(folder, "scale-adult-10000-seed7.csv")), "the generated file is missing");

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var row = Assert.Single(document.RootElement.GetProperty("measurements").EnumerateArray().ToList());
        Assert.Equal(10_000, row.GetProperty("rows").GetInt64());
        Assert.InRange(row.GetProperty("trainRows").GetInt64(), 6_000, 7_000);
        Assert.True(row.GetProperty("trainingSeconds").GetDouble() > 0, "training took no time");
        Assert.True(row.GetProperty("rankingSeconds").GetDouble() > 0, "ranking took no time");
        Assert.True(row.GetProperty("unlearningSeconds").GetDouble() > 0, "unlearning took no time");
        Assert.InRange(row.GetProperty("trainPeakBytes").GetInt64(), 64L << 20, 4L << 30);
        Assert.InRange(row.GetProperty("debiasPeakBytes").GetInt64(), 64L << 20, 4L << 30);
    }
}
