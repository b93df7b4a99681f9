using System.Globalization;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Output;

/// <summary>Prints a version comparison as tables.</summary>
internal static class ComparisonPrinter
{
    private static readonly (string Metric, string Label)[] Gaps =
    [
        ("accuracy", "accuracy"),
        ("demographic_parity_difference", "demographic parity difference"),
        ("equalized_odds_difference", "equalized odds difference"),
        ("equal_opportunity_difference", "equal opportunity difference"),
        ("false_positive_rate_difference", "false positive rate difference"),
        ("disparate_impact_ratio", "disparate impact ratio"),
    ];

    public static void Write(VersionComparison comparison, TextWriter writer)
    {
        string level = (comparison.BootstrapLevel * 100).ToString("0", CultureInfo.InvariantCulture);
        writer.WriteLine($"baseline {comparison.Baseline.Id}, candidate {comparison.Candidate.Id}, {comparison.Split} split "
                         + $"({comparison.BaselineReport.Count} rows); {level}% intervals of the change from "
                         + $"{comparison.BootstrapResamples} paired bootstrap resamples, seed {comparison.BootstrapSeed}");
        writer.WriteLine();

        var metrics = new TextTable("metric", "baseline", "candidate", "change", $"{level}% interval").AlignRight(1, 2, 3);
        foreach (var (metric, label) in Gaps)
        {
            var row = comparison.Metrics.FirstOrDefault(m => m.Metric == metric && m.Group == "");
            if (row is not null)
                AddMetricRow(metrics, label, row);
        }

        foreach (var row in comparison.Metrics.Where(m => m.Group != "" && m.Metric is "selection_rate" or "true_positive_rate" or "false_positive_rate"))
            AddMetricRow(metrics, $"{row.Metric.Replace('_', ' ')}, {row.Group}", row);
        metrics.Write(writer);

        writer.WriteLine();
        var impacts = new TextTable("group", "rows", "baseline ratio", "candidate ratio").AlignRight(1, 2, 3);
        foreach (var impact in comparison.Impacts)
        {
            impacts.AddRow(impact.Group, Formats.Count(impact.Count),
                Ratio(impact.HasBaselineRatio ? impact.BaselineRatio : null, impact.BaselineBelowFourFifths),
                Ratio(impact.HasCandidateRatio ? impact.CandidateRatio : null, impact.CandidateBelowFourFifths));
        }

        writer.WriteLine("four-fifths rule: selection rate over the highest group's rate (* below 0.8)");
        impacts.Write(writer);

        writer.WriteLine();
        long flipped = comparison.Flips.Sum(f => f.NowFavourable + f.NowUnfavourable);
        writer.WriteLine($"decisions flipped: {flipped} of {comparison.BaselineReport.Count} rows");
        var flips = new TextTable("group", "rows", "now favourable", "now unfavourable").AlignRight(1, 2, 3);
        foreach (var f in comparison.Flips)
            flips.AddRow(f.Group, Formats.Count(f.Count), Formats.Count(f.NowFavourable), Formats.Count(f.NowUnfavourable));
        flips.Write(writer);

        writer.WriteLine();
        if (comparison.Layers.Count == 0)
        {
            writer.WriteLine($"layer change: not available, {comparison.LayersUnavailable}");
        }
        else
        {
            var layers = new TextTable("layer", "change (L2)", "relative").AlignRight(1, 2);
            foreach (var layer in comparison.Layers)
                layers.AddRow(layer.Layer, Formats.Metric(layer.DeltaNorm), Formats.Metric(layer.RelativeChange));
            layers.Write(writer);
        }

        writer.WriteLine();
        var removed = comparison.Removed;
        writer.WriteLine($"training rows removed by the candidate's lineage and not the baseline's: {removed.Count}"
                         + (removed.RestoredCount > 0 ? $"; restored: {removed.RestoredCount}" : ""));
        if (removed.Count > 0)
        {
            var cells = new TextTable("group", "label", "removed", "in training").AlignRight(2, 3);
            foreach (var cell in removed.Cells.Where(c => c.Removed > 0))
                cells.AddRow(cell.Group, cell.Label ? "favourable" : "unfavourable", Formats.Count(cell.Removed), Formats.Count(cell.TrainCount));
            cells.Write(writer);
        }
    }

    private static void AddMetricRow(TextTable table, string label, MetricDelta row)
    {
        if (row.UndefinedReason != "")
        {
            table.AddRow(label, Formats.Metric(row.HasBaseline ? row.Baseline : null), Formats.Metric(row.HasCandidate ? row.Candidate : null),
                Formats.NotAvailable, row.UndefinedReason);
            return;
        }

        string interval = row.HasDeltaLower && row.HasDeltaUpper
            ? $"[{Signed(row.DeltaLower)}, {Signed(row.DeltaUpper)}]"
            : Formats.NotAvailable;
        table.AddRow(label, Formats.Metric(row.Baseline), Formats.Metric(row.Candidate), Signed(row.Delta), interval);
    }

    private static string Signed(double value) => value.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);

    private static string Ratio(double? ratio, bool below)
    {
        if (ratio is not { } value)
            return Formats.NotAvailable;

        string text = Formats.Metric(value);
        return below ? text + " *" : text;
    }
}
