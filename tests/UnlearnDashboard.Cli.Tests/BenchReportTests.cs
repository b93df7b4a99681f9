using UnlearnDashboard.Cli.Commands.Bench;

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
    public async Task Parse_UnknownBenchMethod_NamesOption()
    {
        var run = await CliRun.RunAsync("bench", "--methods", "influence-newton,magic", "--server", CliRun.ClosedServer);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'--methods'", run.Stderr);
        Assert.Contains("'magic'", run.Stderr);
    }

    private static BenchMeasurement Measured(string method, double accuracy, double parity, double seconds, double retrainSeconds, double femaleFpr) =>
        new(method, accuracy, parity, null, new Dictionary<string, double> { ["female"] = femaleFpr }, null, seconds, retrainSeconds);
}
