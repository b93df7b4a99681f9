using UnlearnDashboard.Cli.Commands.Bench;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class BenchReportTests
{
    [Fact]
    public void Summarise_TwoSplits_AveragesMetricsAndSpeedUp()
    {
        BenchMeasurement[] measurements =
        [
            Measured("influence-newton", accuracy: 0.80, parity: 0.10, seconds: 1, retrainSeconds: 10, femaleFpr: 0.02),
            Measured("influence-newton", accuracy: 0.70, parity: 0.20, seconds: 2, retrainSeconds: 10, femaleFpr: 0.04),
        ];

        var table = BenchReport.Summarise("German Credit (sex)", 2, measurements);
        var row = Assert.Single(table.Rows);

        Assert.Equal(2, row.Runs);
        Assert.Equal(0.75, row.Accuracy!.Value, 12);
        Assert.Equal(0.15, row.DemographicParityDifference!.Value, 12);
        Assert.Equal(0.03, row.FalsePositiveRates["female"], 12);
        Assert.Equal(1.5, row.Seconds!.Value, 12);
        Assert.Equal(7.5, row.SpeedUpOverRetrain!.Value, 12);
        Assert.Null(row.Skipped);
    }

    [Fact]
    public void Summarise_OwnRetrains_AveragesRetrainSeconds()
    {
        BenchMeasurement[] measurements =
        [
            Measured("counterfactual-replacement", accuracy: 0.8, parity: 0.1, seconds: 1, retrainSeconds: 6, femaleFpr: 0.02),
            Measured("counterfactual-replacement", accuracy: 0.8, parity: 0.1, seconds: 2, retrainSeconds: 10, femaleFpr: 0.02),
        ];

        var row = Assert.Single(BenchReport.Summarise("German Credit (sex)", 2, measurements).Rows);

        Assert.Equal(8, row.RetrainSeconds!.Value, 12);
        Assert.Equal(5.5, row.SpeedUpOverRetrain!.Value, 12);
    }

    [Fact]
    public void Summarise_SkippedEverywhere_KeepsReason()
    {
        BenchMeasurement[] measurements = [BenchMeasurement.SkippedBecause("data-free", "no approved set")];

        var table = BenchReport.Summarise("Adult (race)", 1, measurements);
        var text = new StringWriter();
        BenchReport.Write(table, text);

        Assert.Equal(0, Assert.Single(table.Rows).Runs);
        Assert.Contains("data-free: no approved set", text.ToString());
    }

    [Fact]
    public void Summarise_SomeSplitsSkipped_CountsThem()
    {
        BenchMeasurement[] measurements =
        [
            Measured("gradient-ascent", accuracy: 0.8, parity: 0.1, seconds: 1, retrainSeconds: 2, femaleFpr: 0.1),
            BenchMeasurement.SkippedBecause("gradient-ascent", "job failed"),
        ];

        var row = Assert.Single(BenchReport.Summarise("German Credit (sex)", 2, measurements).Rows);

        Assert.Equal(1, row.Runs);
        Assert.Equal("1 of 2 splits skipped: job failed", row.Skipped);
    }

    [Fact]
    public void Summarise_ControlAndSeedBand_AveragedOverSplits()
    {
        BenchMeasurement[] measurements =
        [
            Measured("influence-newton", accuracy: 0.80, parity: 0.10, seconds: 1, retrainSeconds: 10, femaleFpr: 0.02) with
            {
                Control = new HeadlineMetrics { DemographicParityDifference = 0.20, EqualizedOddsDifference = 0.08 },
                OutsideSeedBand = ["DP"],
            },
            Measured("influence-newton", accuracy: 0.70, parity: 0.20, seconds: 2, retrainSeconds: 10, femaleFpr: 0.04) with
            {
                Control = new HeadlineMetrics { DemographicParityDifference = 0.30, EqualizedOddsDifference = 0.12 },
                OutsideSeedBand = [],
            },
        ];
        BenchBand[] bands = [new("DP", 0.25, 0.02), new("DP", 0.35, 0.04), new("EO", 0.10, 0.01)];

        var table = BenchReport.Summarise("German Credit (sex)", 2, measurements, bands);
        var row = Assert.Single(table.Rows);
        var text = new StringWriter();
        BenchReport.Write(table, text);

        Assert.Equal(0.25, row.ControlDemographicParityDifference!.Value, 12);
        Assert.Equal(0.10, row.ControlEqualizedOddsDifference!.Value, 12);
        Assert.Equal(2, row.SeedBandSplits);
        Assert.Equal("accuracy 0/2 DP 1/2 EO 0/2", BenchReport.FormatOutsideSeedBand(row));
        Assert.Equal(0.30, table.SeedBand!.Single(b => b.Metric == "DP").Mean, 12);
        Assert.Equal(0.03, table.SeedBand!.Single(b => b.Metric == "DP").TwoStandardDeviations, 12);
        Assert.Contains("DP 0.3000 +/- 0.0300", text.ToString());
        Assert.Contains("control DP", text.ToString());
    }

    [Theory]
    [InlineData(new[] { "DP", "EO" }, "DP EO")]
    [InlineData(new string[0], "none")]
    public void FormatOutsideSeedBand_OneSplit_ListsMetrics(string[] outside, string expected)
    {
        var measurement = Measured("counterfactual-replacement", accuracy: 0.8, parity: 0.1, seconds: 1, retrainSeconds: 5, femaleFpr: 0.1) with
        {
            OutsideSeedBand = outside,
        };

        var row = Assert.Single(BenchReport.Summarise("Adult (sex)", 1, [measurement]).Rows);

        Assert.Equal(expected, BenchReport.FormatOutsideSeedBand(row));
    }

    [Fact]
    public void FormatOutsideSeedBand_NoBand_IsNotAvailable()
    {
        var row = Assert.Single(BenchReport.Summarise("Adult (sex)", 1,
            [Measured("data-free", accuracy: 0.8, parity: 0.1, seconds: 1, retrainSeconds: 5, femaleFpr: 0.1)]).Rows);

        Assert.Equal("n/a", BenchReport.FormatOutsideSeedBand(row));
    }

    [Fact]
    public async Task Parse_UnknownBenchMethod_NamesOption()
    {
        var run = await CliRun.RunAsync("bench", "--methods", "influence-newton,magic", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--methods'", run.Stderr);
        Assert.Contains("'magic'", run.Stderr);
    }

    [Fact]
    public async Task Run_MissingDatasetFiles_IsUsageError()
    {
        string folder = Directory.CreateTempSubdirectory("bench-datasets-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "adult.csv"), "age,sex,income\n");

            // The closed server would fail the first job; the usage error comes first.
            var run = await CliRun.RunAsync("bench", "--datasets-folder", folder, "--server", CliRun.ClosedServer);

            Assert.Equal(ExitCodes.UsageError, run.ExitCode);
            Assert.Contains($"invalid --datasets-folder '{folder}': missing adult-test.csv, german-credit.csv.", run.Stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void DefaultDatasetsFolder_ContainsSuiteFiles()
    {
        foreach (string file in new[] { "adult.csv", "adult-test.csv", "german-credit.csv" })
            Assert.True(File.Exists(Path.Combine(BenchCommand.DefaultDatasetsFolder, file)), file);
    }

    private static BenchMeasurement Measured(string method, double accuracy, double parity, double seconds, double retrainSeconds, double femaleFpr) =>
        new(method, accuracy, parity, null, new Dictionary<string, double> { ["female"] = femaleFpr }, null, seconds, retrainSeconds);
}
