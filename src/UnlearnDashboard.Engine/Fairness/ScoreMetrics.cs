namespace UnlearnDashboard.Engine.Fairness;

/// <summary>One bin of a calibration table: predicted probabilities in [Lower, Upper), the last bin closed.</summary>
/// <param name="Lower">Lower edge of the bin, inclusive.</param>
/// <param name="Upper">Upper edge of the bin, exclusive except for the last bin.</param>
/// <param name="Count">Rows whose predicted probability falls in the bin.</param>
/// <param name="MeanPredicted">Mean predicted probability of those rows; null when the bin is empty.</param>
/// <param name="ObservedRate">Share of those rows with the favourable label; null when the bin is empty.</param>
public sealed record CalibrationBin(double Lower, double Upper, long Count, double? MeanPredicted, double? ObservedRate);

/// <summary>Ranking and calibration quality of one group's predicted probabilities.</summary>
/// <param name="Group">Group name.</param>
/// <param name="Count">Rows of the group.</param>
/// <param name="Auc">Area under the ROC curve, with ties counted half; null when the group lacks a label.</param>
/// <param name="ExpectedCalibrationError">
/// Sum over bins of (bin count / group count) times |observed rate - mean predicted probability|; null for an empty group.
/// </param>
/// <param name="Bins">The calibration table behind the error.</param>
/// <param name="Undefined">Why a null metric is undefined.</param>
public sealed record GroupScoreMetrics(
    string Group,
    long Count,
    double? Auc,
    double? ExpectedCalibrationError,
    IReadOnlyList<CalibrationBin> Bins,
    IReadOnlyList<UndefinedMetric> Undefined);

/// <summary>The demographic parity and equalized odds differences when decisions use one probability threshold.</summary>
/// <param name="Threshold">A prediction is positive when its probability is &gt; this value.</param>
/// <param name="DemographicParityDifference">Largest minus smallest selection rate; null when undefined.</param>
/// <param name="EqualizedOddsDifference">Larger of the TPR and FPR gaps; null when undefined.</param>
/// <param name="SelectionRate">Share of all rows predicted positive.</param>
/// <param name="Undefined">Why a null metric is undefined.</param>
public sealed record ThresholdPoint(
    double Threshold,
    double? DemographicParityDifference,
    double? EqualizedOddsDifference,
    double SelectionRate,
    IReadOnlyList<UndefinedMetric> Undefined);

/// <summary>Metrics of predicted probabilities rather than decisions: AUC, calibration and threshold sweeps.</summary>
public static class ScoreMetrics
{
    /// <summary>Bins of the expected calibration error: 10 equal-width bins on [0, 1].</summary>
    public const int CalibrationBins = 10;

    /// <summary>Thresholds of <see cref="ThresholdSweep"/>: 0.1 to 0.9 in steps of 0.1.</summary>
    public static IReadOnlyList<double> SweepThresholds { get; } = Enumerable.Range(1, 9).Select(i => i / 10.0).ToArray();

    /// <summary>Returns the logistic sigmoid of each logit, in double precision.</summary>
    public static double[] Probabilities(IReadOnlyList<float> logits) =>
        logits.Select(l => 1.0 / (1.0 + Math.Exp(-(double)l))).ToArray();

    /// <summary>Computes the ROC AUC of scores against labels by the Mann-Whitney statistic; null without both labels.</summary>
    public static double? RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        CheckLengths(scores.Count, labels.Count);
        var positives = new List<double>();
        var negatives = new List<double>();
        for (int i = 0; i < scores.Count; i++)
            (labels[i] ? positives : negatives).Add(scores[i]);
        return RankStatistics.MannWhitneyAuc(positives, negatives);
    }

    /// <summary>
    /// Computes the expected calibration error over <paramref name="bins"/> equal-width bins on [0, 1] and the
    /// bin table. Bin k holds probabilities in [k/bins, (k+1)/bins), and the last bin also holds 1. The error
    /// is null when there are no rows.
    /// </summary>
    public static (double? Error, IReadOnlyList<CalibrationBin> Bins) Calibration(
        IReadOnlyList<double> probabilities,
        IReadOnlyList<bool> labels,
        int bins = CalibrationBins)
    {
        CheckLengths(probabilities.Count, labels.Count);
        if (bins < 1)
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "At least one bin is needed.");

        var counts = new long[bins];
        var probabilitySums = new double[bins];
        var positives = new long[bins];
        for (int i = 0; i < probabilities.Count; i++)
        {
            double p = probabilities[i];
            if (!(p >= 0 && p <= 1))
                throw new ArgumentException($"Probability {p} at row {i} is outside [0, 1].", nameof(probabilities));

            int bin = Math.Min((int)(p * bins), bins - 1);
            counts[bin]++;
            probabilitySums[bin] += p;
            if (labels[i])
                positives[bin]++;
        }

        var table = new List<CalibrationBin>(bins);
        double error = 0;
        for (int bin = 0; bin < bins; bin++)
        {
            double? meanPredicted = counts[bin] > 0 ? probabilitySums[bin] / counts[bin] : null;
            double? observed = counts[bin] > 0 ? (double)positives[bin] / counts[bin] : null;
            table.Add(new CalibrationBin((double)bin / bins, (double)(bin + 1) / bins, counts[bin], meanPredicted, observed));
            if (counts[bin] > 0)
                error += (double)counts[bin] / probabilities.Count * Math.Abs(observed!.Value - meanPredicted!.Value);
        }

        return (probabilities.Count > 0 ? error : null, table);
    }

    /// <summary>
    /// Computes each group's AUC and calibration, in <paramref name="groupOrder"/> and then ordinal order. Groups
    /// below <paramref name="minimumGroupSize"/> are left out here; <see cref="FairnessReport.TooSmallGroups"/>
    /// lists them.
    /// </summary>
    public static IReadOnlyList<GroupScoreMetrics> ByGroup(
        IReadOnlyList<double> probabilities,
        IReadOnlyList<bool> labels,
        IReadOnlyList<string> groups,
        IReadOnlyList<string>? groupOrder = null,
        int minimumGroupSize = 0)
    {
        CheckLengths(probabilities.Count, labels.Count);
        CheckLengths(probabilities.Count, groups.Count);
        var rowsByGroup = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Count; i++)
        {
            if (!rowsByGroup.TryGetValue(groups[i], out var rows))
                rowsByGroup[groups[i]] = rows = [];
            rows.Add(i);
        }

        var order = (groupOrder ?? []).Where(rowsByGroup.ContainsKey)
            .Concat(rowsByGroup.Keys.Where(g => groupOrder is null || !groupOrder.Contains(g)).Order(StringComparer.Ordinal));
        var result = new List<GroupScoreMetrics>();
        foreach (string group in order)
        {
            var rows = rowsByGroup[group];
            if (rows.Count < minimumGroupSize)
                continue;

            var groupProbabilities = rows.Select(i => probabilities[i]).ToArray();
            var groupLabels = rows.Select(i => labels[i]).ToArray();
            var undefined = new List<UndefinedMetric>();
            double? auc = RocAuc(groupProbabilities, groupLabels);
            if (auc is null)
            {
                long positives = groupLabels.Count(l => l);
                string missing = positives == 0 ? "positive" : "negative";
                undefined.Add(new UndefinedMetric("auc", $"no {missing} labels in group {group} ({positives} positive of {rows.Count})", positives, rows.Count));
            }

            var (error, bins) = Calibration(groupProbabilities, groupLabels);
            result.Add(new GroupScoreMetrics(group, rows.Count, auc, error, bins, undefined));
        }

        return result;
    }

    /// <summary>
    /// Computes the demographic parity and equalized odds differences at each of <see cref="SweepThresholds"/>,
    /// with a prediction positive when its probability is &gt; the threshold.
    /// </summary>
    public static IReadOnlyList<ThresholdPoint> ThresholdSweep(
        IReadOnlyList<double> probabilities,
        IReadOnlyList<bool> labels,
        IReadOnlyList<string> groups,
        string referenceGroup,
        IReadOnlyList<string>? groupOrder = null,
        int minimumGroupSize = 0)
    {
        CheckLengths(probabilities.Count, labels.Count);
        var points = new List<ThresholdPoint>();
        foreach (double threshold in SweepThresholds)
        {
            var predictions = probabilities.Select(p => p > threshold).ToArray();
            var report = FairnessCalculator.Compute("sweep", "", referenceGroup, labels, predictions, groups, groupOrder, 0, minimumGroupSize);
            double selection = predictions.Length == 0 ? 0 : (double)predictions.Count(p => p) / predictions.Length;
            var undefined = report.Undefined
                .Where(u => u.Metric is "demographic_parity_difference" or "equalized_odds_difference")
                .ToList();
            points.Add(new ThresholdPoint(threshold, report.DemographicParityDifference, report.EqualizedOddsDifference, selection, undefined));
        }

        return points;
    }

    private static void CheckLengths(int expected, int actual)
    {
        if (expected != actual)
            throw new ArgumentException($"Inputs differ in length: {expected} and {actual}.");
    }
}
