using System.Globalization;
using UnlearnDashboard.Cli.Commands.Debias;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Output;

/// <summary>Human-readable summaries of job results.</summary>
internal static class ResultPrinter
{
    /// <summary>Writes test-split fairness before, after and (when requested) after retraining, with counts and timings.</summary>
    public static void WriteDebias(DebiasResult result, TextWriter writer)
    {
        var reports = new List<(string Name, FairnessReport Report)> { ("before", result.Before), ("after", result.After) };
        if (result.Retrain is not null)
        {
            reports.Add(("retrain", result.Retrain));
        }

        if (result.Evidence is { } evidence)
        {
            if (evidence.Retrain?.Report is { } retrained && result.Retrain is null)
                reports.Add(("retrain", retrained));
            if (evidence.Reweighing?.Report is { } reweighed)
                reports.Add(("reweighing", reweighed));
            if (evidence.GroupThresholds?.Report is { } thresholded)
                reports.Add(("thresholds", thresholded));
        }

        var table = new TextTable(["metric (test split)", .. reports.Select(entry => entry.Name)])
            .AlignRight([.. Enumerable.Range(1, reports.Count)]);
        AddMetricRow(table, "accuracy", reports, report => report.HasAccuracy ? report.Accuracy : null);
        AddMetricRow(table, "demographic parity difference", reports,
            report => report.HasDemographicParityDifference ? report.DemographicParityDifference : null);
        AddMetricRow(table, "equalized odds difference", reports,
            report => report.HasEqualizedOddsDifference ? report.EqualizedOddsDifference : null);
        AddMetricRow(table, "equal opportunity difference", reports,
            report => report.HasEqualOpportunityDifference ? report.EqualOpportunityDifference : null);
        AddMetricRow(table, "disparate impact ratio", reports,
            report => report.HasDisparateImpactRatio ? report.DisparateImpactRatio : null);
        table.Write(writer);

        writer.WriteLine();
        writer.WriteLine($"method:           {MethodName(result.Method)}");
        writer.WriteLine($"counterfactuals:  {CounterfactualsUsed(result)}");
        writer.WriteLine($"removed samples:  {Formats.Count(result.RemovedSampleCount)}");
        if (result.AccuracyBudget is { } budget)
        {
            writer.WriteLine($"accuracy budget:  at most {Formats.Metric(budget.MaxAccuracyLoss)} lost on validation; "
                + $"{Formats.Metric(budget.ValidationAccuracyBefore)} to {Formats.Metric(budget.ValidationAccuracyAfter)} with "
                + $"{budget.StepScale.ToString("0.####", CultureInfo.InvariantCulture)} of the update");
        }

        WriteInfluence(result, writer);
        if (result.Timings is { } timings)
        {
            var parts = new List<string>();

            // A method that ranks nothing has no ranking time, unless choosing layers automatically took some.
            bool ranked = result.Influence is not { Solver: InfluenceSolver.Unspecified };
            if (ranked || timings.RankingSeconds >= 0.005)
                parts.Add($"ranking {Formats.Seconds(timings.RankingSeconds)}");
            parts.Add($"unlearning {Formats.Seconds(timings.UnlearningSeconds)}");
            parts.Add($"evaluation {Formats.Seconds(timings.EvaluationSeconds)}");
            if (result.Retrain is not null)
            {
                parts.Add($"retrain {Formats.Seconds(timings.RetrainSeconds)}");
            }

            writer.WriteLine($"timings:          {string.Join(", ", parts)}");
            if (timings.HasRetrainSpeedUp)
                writer.WriteLine($"speed-up:         ranking and update ran {Formats.SpeedUp(timings.RetrainSpeedUp)} faster than the retrain");
        }

        writer.WriteLine($"base version:     {Formats.OrDash(result.BaseVersionId)}");
        writer.WriteLine($"new version:      {Formats.OrDash(result.NewVersionId)}");
        WriteEvidence(result.Evidence, writer);
        WriteExplanation(result.Explanation, writer);
        foreach (string warning in result.Warnings)
            writer.WriteLine($"warning: {warning}");
    }

    private static void WriteEvidence(DebiasEvidence? evidence, TextWriter writer)
    {
        if (evidence is null)
            return;

        if (evidence.MembershipInference is { } inference)
        {
            var aucs = inference.Models.Select(m => $"{m.Model} {Formats.Metric(m.HasAuc ? m.Auc : null)}");
            writer.WriteLine($"membership AUC:   {string.Join(", ", aucs)} ({inference.MemberCount} removed samples)");
            if (inference.Models.Any(m => m.HasAuc && m.Auc < 0.5))
            {
                writer.WriteLine("  below 0.5, the removed samples have higher losses than the matched test rows, as rows the base model "
                    + "fits badly do; forgetting shows as the updated model's AUC moving towards that of a model retrained without them, "
                    + "not towards 0.5");
            }
        }

        if (evidence.RandomControl is { } control)
        {
            writer.WriteLine(
                $"random control:   DP diff {Formats.Metric(control.Mean.HasDemographicParityDifference ? control.Mean.DemographicParityDifference : null)} " +
                $"over {control.Draws.Count} random removals, {Formats.Metric(control.Targeted.HasDemographicParityDifference ? control.Targeted.DemographicParityDifference : null)} targeted");
        }

        if (evidence.Retrain is { } retrain)
        {
            writer.WriteLine(
                $"retrain distance: L2 {retrain.UpdatedToRetrained.Total.ToString("0.####", CultureInfo.InvariantCulture)} " +
                $"(base model {retrain.BaseToRetrained.Total.ToString("0.####", CultureInfo.InvariantCulture)}), " +
                $"decisions agree on {retrain.UpdatedToRetrained.PredictionAgreement.ToString("P1", CultureInfo.InvariantCulture)} of test rows");
        }

        foreach (var band in evidence.SeedBand?.Metrics.Where(m => m.OutsideBand) ?? [])
            writer.WriteLine($"seed band:        {band.Metric} {Formats.Metric(band.HasResult ? band.Result : null)} is outside the seed-noise band");

        if (evidence.LevellingDown is { } levelling)
            WriteLevellingDown(levelling, writer);
        foreach (string skipped in evidence.Skipped)
            writer.WriteLine($"evidence skipped: {skipped}");
    }

    /// <summary>
    /// Writes the levelling-down verdict, then one line per rate with the gap's change and the favoured group's
    /// fall against the lowest group's rise, which is what the verdict weighs, and the rule when a rate is flagged.
    /// </summary>
    private static void WriteLevellingDown(LevellingDown levelling, TextWriter writer)
    {
        writer.WriteLine($"levelling down:   {(levelling.Flagged ? "yes" : "no")}");
        foreach (var rate in new[] { levelling.SelectionRate, levelling.TruePositiveRate })
        {
            if (rate is null)
                continue;

            string name = rate.Rate.Replace('_', ' ');
            var favoured = rate.Groups.FirstOrDefault(g => g.Group == rate.FavouredGroup);
            if (!rate.HasGapBefore || !rate.HasGapAfter || favoured is not { HasBefore: true, HasAfter: true } || !rate.HasLowestRise)
            {
                writer.WriteLine($"  {name}: not checked, a group's rate is undefined");
                continue;
            }

            // favoured_drop is at least 0, so the group's own rates tell whether it rose or fell.
            writer.WriteLine(
                $"  {name}: {(rate.LevelledDown ? "flagged" : "not flagged")}; gap {Formats.Metric(rate.GapBefore)} -> {Formats.Metric(rate.GapAfter)}, "
                + $"{rate.FavouredGroup} (highest before) {Movement(favoured.After - favoured.Before)}, "
                + $"{rate.LowestGroup} (lowest before) {Movement(rate.LowestRise)}");
        }

        if (levelling.Flagged)
            writer.WriteLine($"  rule: {levelling.Rule}");
    }

    private static string Movement(double change) => change switch
    {
        > 0 => $"rose by {Formats.Metric(change)}",
        < 0 => $"fell by {Formats.Metric(-change)}",
        _ => "did not change",
    };

    /// <summary>
    /// Names the approved set the run used, or says that it used the dataset's default maps, which nobody reviewed,
    /// and lists them.
    /// </summary>
    private static string CounterfactualsUsed(DebiasResult result)
    {
        if (result.CounterfactualSetId.Length > 0)
            return result.CounterfactualSetId;
        if (result.CounterfactualMaps.Count == 0)
            return Formats.OrDash("");

        var maps = result.CounterfactualMaps.Select(map =>
            $"{map.Column}: {string.Join(", ", map.Values.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"))}");
        return $"default maps, not reviewed ({string.Join("; ", maps)})";
    }

    /// <summary>Returns the CLI's name of a method, as <c>--method</c> takes it.</summary>
    public static string MethodName(DebiasMethod method) =>
        DebiasMethodOptions.Methods.FirstOrDefault(entry => entry.Value == method).Key ?? method.ToString();

    private static string? ObjectiveRowsName(ObjectiveRows rows) => rows switch
    {
        ObjectiveRows.Validation => "validation split",
        ObjectiveRows.TrainingAndValidation => "training and validation splits, because a group has fewer than 400 validation rows for the objective",
        _ => null,
    };

    private static void WriteInfluence(DebiasResult result, TextWriter writer)
    {
        if (result.Influence is { } influence && influence.Layers.Count > 0)
        {
            // A method that ranks nothing solves nothing, so it has no damping to show.
            string rule = influence.DampingChosenByRule ? " (chosen by the damping rule)" : "";
            string damping = influence.Solver switch
            {
                InfluenceSolver.Unspecified => "",
                InfluenceSolver.Lissa => $", damping {influence.Damping.ToString("G3", CultureInfo.InvariantCulture)}{rule}, LiSSA solver",
                _ => $", damping {influence.Damping.ToString("G3", CultureInfo.InvariantCulture)}{rule}",
            };
            writer.WriteLine($"layers:           {string.Join(", ", influence.Layers)}{damping}");
            if (ObjectiveRowsName(influence.ObjectiveRows) is { } rows)
                writer.WriteLine($"objective rows:   {influence.ObjectiveRowCount.ToString("N0", CultureInfo.InvariantCulture)} rows of the {rows}");
        }

        var changed = result.LayerChanges.Where(c => c.DeltaNorm > 0).ToList();
        if (changed.Count > 0)
        {
            var parts = changed.Select(c => $"{c.Layer} {c.RelativeChange.ToString("0.####", CultureInfo.InvariantCulture)}");
            writer.WriteLine($"weight change:    {string.Join(", ", parts)} (relative L2)");
        }

        if (result.HasChangedParameterFraction)
            writer.WriteLine($"weights changed:  {result.ChangedParameterFraction.ToString("P1", CultureInfo.InvariantCulture)}");
    }

    private static void WriteExplanation(RankingExplanation? explanation, TextWriter writer)
    {
        if (explanation is null || explanation.Breakdown.Count == 0)
            return;

        writer.WriteLine();
        var table = new TextTable(["harmful set (group, label)", "harmful", "in training"]).AlignRight(1, 2);
        foreach (var cell in explanation.Breakdown)
            table.AddRow([$"{cell.Group}, {cell.Label}", Formats.Count(cell.HarmfulCount), Formats.Count(cell.TrainCount)]);
        table.Write(writer);
    }

    /// <summary>Writes the trained version and its test-split fairness.</summary>
    public static void WriteTrain(TrainResult result, TextWriter writer)
    {
        var report = result.TestReport ?? new FairnessReport();
        writer.WriteLine($"model:                          {Formats.OrDash(result.ModelId)}");
        writer.WriteLine($"version:                        {Formats.OrDash(result.VersionId)}");
        writer.WriteLine($"training time:                  {Formats.Seconds(result.TrainingSeconds)}");
        writer.WriteLine($"test accuracy:                  {Formats.Metric(report.HasAccuracy ? report.Accuracy : null)}");
        writer.WriteLine($"demographic parity difference:  {Formats.Metric(report.HasDemographicParityDifference ? report.DemographicParityDifference : null)}");
        writer.WriteLine($"equalized odds difference:      {Formats.Metric(report.HasEqualizedOddsDifference ? report.EqualizedOddsDifference : null)}");
        writer.WriteLine($"disparate impact ratio:         {Formats.Metric(report.HasDisparateImpactRatio ? report.DisparateImpactRatio : null)}");
    }

    private static void AddMetricRow(
        TextTable table,
        string name,
        List<(string Name, FairnessReport Report)> reports,
        Func<FairnessReport, double?> metric)
    {
        string[] values = [.. reports.Select(entry => Formats.Metric(entry.Report is null ? null : metric(entry.Report)))];
        table.AddRow([name, .. values]);
    }
}
