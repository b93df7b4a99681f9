using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary>One method's or baseline's numbers on one split, on the test split of that dataset.</summary>
/// <param name="Control">Mean metrics of the method's own random control; null for baselines and methods that remove no samples.</param>
/// <param name="OutsideSeedBand">Metrics the method moved outside the seed band ("accuracy", "DP", "EO"); null without a band.</param>
internal sealed record BenchMeasurement(
    string Method,
    double? Accuracy,
    double? DemographicParityDifference,
    double? EqualizedOddsDifference,
    IReadOnlyDictionary<string, double> FalsePositiveRates,
    double? MembershipInferenceAuc,
    double? Seconds,
    double? RetrainSeconds,
    string? Skipped = null,
    HeadlineMetrics? Control = null,
    IReadOnlyList<string>? OutsideSeedBand = null)
{
    /// <summary>Reads the headline metrics of a fairness report; undefined metrics stay null.</summary>
    public static BenchMeasurement FromReport(string method, FairnessReport report, double? auc, double? seconds, double? retrainSeconds)
    {
        var rates = report.Groups
            .Where(g => g.HasFalsePositiveRate)
            .ToDictionary(g => g.Group, g => g.FalsePositiveRate);
        return new BenchMeasurement(
            method,
            report.HasAccuracy ? report.Accuracy : null,
            report.HasDemographicParityDifference ? report.DemographicParityDifference : null,
            report.HasEqualizedOddsDifference ? report.EqualizedOddsDifference : null,
            rates,
            auc,
            seconds,
            retrainSeconds);
    }

    public static BenchMeasurement SkippedBecause(string method, string reason) =>
        new(method, null, null, null, new Dictionary<string, double>(), null, null, null, reason);
}

/// <summary>One metric's seed-noise band: the mean over other training seeds and 2 standard deviations.</summary>
internal sealed record BenchBand(string Metric, double Mean, double TwoStandardDeviations);

/// <summary>A row of a benchmark table: the mean over the splits where the method ran.</summary>
/// <param name="OutsideSeedBand">Per metric, the splits on which the method moved it outside the seed band.</param>
/// <param name="SeedBandSplits">Splits on which the method's run had a seed band.</param>
/// <param name="RetrainSeconds">Mean seconds of the retrains that the method's speed-ups divide, so that the JSON shows both sides of each ratio.</param>
internal sealed record BenchRow(
    string Method,
    int Runs,
    double? Accuracy,
    double? DemographicParityDifference,
    double? EqualizedOddsDifference,
    IReadOnlyDictionary<string, double> FalsePositiveRates,
    double? MembershipInferenceAuc,
    double? Seconds,
    double? SpeedUpOverRetrain,
    string? Skipped,
    double? ControlDemographicParityDifference = null,
    double? ControlEqualizedOddsDifference = null,
    IReadOnlyDictionary<string, int>? OutsideSeedBand = null,
    int SeedBandSplits = 0,
    double? RetrainSeconds = null);

/// <summary>The table of one suite, with its seed band averaged over the splits.</summary>
internal sealed record BenchTable(string Title, int Splits, IReadOnlyList<BenchRow> Rows, IReadOnlyList<BenchBand>? SeedBand = null);

/// <summary>Averages measurements over splits and writes the tables as text and JSON.</summary>
internal static class BenchReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Builds a table from every split's measurements, in the order methods first appear. A method's
    /// speed-up is the split's retrain seconds over the method's seconds, averaged over the splits.
    /// <paramref name="bands"/> contains every split's seed band, averaged per metric.
    /// </summary>
    public static BenchTable Summarise(string title, int splits, IReadOnlyList<BenchMeasurement> measurements, IReadOnlyList<BenchBand>? bands = null)
    {
        var rows = new List<BenchRow>();
        foreach (var group in measurements.GroupBy(m => m.Method))
        {
            var ran = group.Where(m => m.Skipped is null).ToList();
            if (ran.Count == 0)
            {
                rows.Add(new BenchRow(group.Key, 0, null, null, null, new Dictionary<string, double>(), null, null, null, group.First().Skipped));
                continue;
            }

            var groups = ran.SelectMany(m => m.FalsePositiveRates.Keys).Distinct().ToList();
            var rates = groups.ToDictionary(g => g, g => ran.Where(m => m.FalsePositiveRates.ContainsKey(g)).Average(m => m.FalsePositiveRates[g]));
            var speedUps = ran
                .Where(m => m.Seconds is > 0 && m.RetrainSeconds is > 0)
                .Select(m => m.RetrainSeconds!.Value / m.Seconds!.Value)
                .ToList();
            rows.Add(new BenchRow(
                group.Key,
                ran.Count,
                Mean(ran.Select(m => m.Accuracy)),
                Mean(ran.Select(m => m.DemographicParityDifference)),
                Mean(ran.Select(m => m.EqualizedOddsDifference)),
                rates,
                Mean(ran.Select(m => m.MembershipInferenceAuc)),
                Mean(ran.Select(m => m.Seconds)),
                speedUps.Count > 0 ? speedUps.Average() : null,
                ran.Count < group.Count() ? $"{group.Count() - ran.Count} of {group.Count()} splits skipped: {group.First(m => m.Skipped is not null).Skipped}" : null,
                Mean(ran.Select(m => m.Control is { HasDemographicParityDifference: true } control ? control.DemographicParityDifference : (double?)null)),
                Mean(ran.Select(m => m.Control is { HasEqualizedOddsDifference: true } control ? control.EqualizedOddsDifference : (double?)null)),
                ran.SelectMany(m => m.OutsideSeedBand ?? []).GroupBy(metric => metric).ToDictionary(g => g.Key, g => g.Count()),
                ran.Count(m => m.OutsideSeedBand is not null),
                Mean(ran.Where(m => m.Seconds is > 0).Select(m => m.RetrainSeconds))));
        }

        var seedBand = (bands ?? [])
            .GroupBy(b => b.Metric)
            .Select(g => new BenchBand(g.Key, g.Average(b => b.Mean), g.Average(b => b.TwoStandardDeviations)))
            .ToList();
        return new BenchTable(title, splits, rows, seedBand);
    }

    /// <summary>
    /// Formats which metrics a method moved outside the seed band: "DP EO" or "none" for one split, and per
    /// metric the count of splits otherwise ("DP 4/5 EO 0/5").
    /// </summary>
    public static string FormatOutsideSeedBand(BenchRow row)
    {
        if (row.SeedBandSplits == 0 || row.OutsideSeedBand is null)
            return Formats.NotAvailable;

        string[] metrics = ["accuracy", "DP", "EO"];
        if (row.SeedBandSplits == 1)
        {
            var outside = metrics.Where(row.OutsideSeedBand.ContainsKey).ToList();
            return outside.Count > 0 ? string.Join(" ", outside) : "none";
        }

        return string.Join(" ", metrics.Select(m => $"{m} {row.OutsideSeedBand.GetValueOrDefault(m)}/{row.SeedBandSplits}"));
    }

    /// <summary>Writes a table as aligned text, with skipped methods and their reasons below it.</summary>
    public static void Write(BenchTable table, TextWriter writer)
    {
        string splits = table.Splits == 1 ? "" : $", mean of {table.Splits} seeded splits";
        writer.WriteLine($"{table.Title}{splits}");
        var text = new TextTable(["method", "accuracy", "DP diff", "EO diff", "control DP", "control EO", "outside seed band", "FPR per group", "MIA AUC", "seconds", "speed-up"])
            .AlignRight(1, 2, 3, 4, 5, 8, 9, 10);
        foreach (var row in table.Rows.Where(r => r.Runs > 0))
        {
            text.AddRow(
            [
                row.Method,
                Formats.Metric(row.Accuracy),
                Formats.Metric(row.DemographicParityDifference),
                Formats.Metric(row.EqualizedOddsDifference),
                row.ControlDemographicParityDifference is null ? "" : Formats.Metric(row.ControlDemographicParityDifference),
                row.ControlEqualizedOddsDifference is null ? "" : Formats.Metric(row.ControlEqualizedOddsDifference),
                row.SeedBandSplits == 0 ? "" : FormatOutsideSeedBand(row),
                string.Join(" ", row.FalsePositiveRates.Select(rate => $"{rate.Key} {rate.Value.ToString("0.000", CultureInfo.InvariantCulture)}")),
                Formats.Metric(row.MembershipInferenceAuc),
                row.Seconds is { } seconds ? seconds.ToString("0.00", CultureInfo.InvariantCulture) : Formats.NotAvailable,
                row.SpeedUpOverRetrain is { } speedUp ? Formats.SpeedUp(speedUp) : Formats.NotAvailable,
            ]);
        }

        text.Write(writer);
        if (table.SeedBand is { Count: > 0 } band)
        {
            string values = string.Join(", ", band.Select(b =>
                $"{b.Metric} {b.Mean.ToString("0.0000", CultureInfo.InvariantCulture)} +/- {b.TwoStandardDeviations.ToString("0.0000", CultureInfo.InvariantCulture)}"));
            writer.WriteLine($"  seed band (mean +/- 2 standard deviations over other training seeds): {values}");
        }

        foreach (var row in table.Rows.Where(r => r.Skipped is not null))
            writer.WriteLine($"  {row.Method}: {row.Skipped}");
        writer.WriteLine();
    }

    public static async Task WriteJsonAsync(IReadOnlyList<BenchTable> tables, string path, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, new { tables }, JsonOptions, cancellationToken);
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        return present.Count > 0 ? present.Average() : null;
    }
}
