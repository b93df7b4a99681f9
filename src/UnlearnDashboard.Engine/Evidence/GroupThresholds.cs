using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// Post-processing baseline for demographic parity in the style of Fairlearn's ThresholdOptimizer, but
/// deterministic: one decision threshold per group, chosen on the validation split and applied to the test split.
/// </summary>
public static class GroupThresholds
{
    /// <summary>The selection rule, as stated in results.</summary>
    public const string Rule =
        "Target rate s is the base model's overall selection rate on the validation split (logit > 0). " +
        "For a group of n validation rows with probabilities sorted descending p1 >= ... >= pn, k = round(s n) " +
        "(midpoints away from zero) and the threshold is (pk + pk+1) / 2, or p1 when k = 0 and pn / 2 when k = n; " +
        "a row is positive when its probability is > its group's threshold. Every group then selects about s, so " +
        "the overall selection rate stays about s. Ties at the threshold select fewer than k rows. " +
        "A test group absent from validation keeps the threshold 0.5.";

    /// <summary>Chooses each group's threshold so that its selection rate is as close to <paramref name="targetRate"/> as the rule allows.</summary>
    public static IReadOnlyList<GroupThreshold> Choose(IReadOnlyList<double> probabilities, IReadOnlyList<string> groups, double targetRate)
    {
        if (probabilities.Count != groups.Count)
            throw new ArgumentException($"probabilities ({probabilities.Count}) and groups ({groups.Count}) differ in length.");
        if (!(targetRate >= 0 && targetRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(targetRate), targetRate, "The target selection rate must be in [0, 1].");

        var result = new List<GroupThreshold>();
        foreach (var group in Enumerable.Range(0, groups.Count).GroupBy(i => groups[i], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            double[] sorted = group.Select(i => probabilities[i]).OrderDescending().ToArray();
            int n = sorted.Length;
            int k = (int)Math.Round(targetRate * n, MidpointRounding.AwayFromZero);
            double threshold = k == 0 ? sorted[0]
                : k == n ? sorted[n - 1] / 2
                : (sorted[k - 1] + sorted[k]) / 2;
            double selected = sorted.Count(p => p > threshold);
            result.Add(new GroupThreshold(group.Key, threshold, selected / n));
        }

        return result;
    }

    /// <summary>Returns each row's decision: probability &gt; its group's threshold, or &gt; 0.5 for a group without one.</summary>
    public static bool[] Apply(IReadOnlyList<double> probabilities, IReadOnlyList<string> groups, IReadOnlyList<GroupThreshold> thresholds)
    {
        var byGroup = thresholds.ToDictionary(t => t.Group, t => t.Probability, StringComparer.Ordinal);
        return Enumerable.Range(0, probabilities.Count)
            .Select(i => probabilities[i] > byGroup.GetValueOrDefault(groups[i], 0.5))
            .ToArray();
    }

    /// <summary>Chooses thresholds for the base model on the validation split and evaluates them on the test split.</summary>
    internal static GroupThresholdResult Run(TrainedModel model, PreparedDataset data)
    {
        var validationLogits = model.PredictLogits(data.Validation);
        double target = validationLogits.Length == 0 ? 0 : (double)validationLogits.Count(l => l > 0f) / validationLogits.Length;
        var thresholds = Choose(ScoreMetrics.Probabilities(validationLogits), data.Validation.Groups, target);

        var test = data.Test;
        var decisions = Apply(ScoreMetrics.Probabilities(model.PredictLogits(test)), test.Groups, thresholds);
        var report = FairnessCalculator.Compute(
            test.Name,
            data.Definition.SensitiveColumn,
            data.ReferenceGroup,
            test.Labels.Select(l => l > 0.5f).ToArray(),
            decisions,
            test.Groups,
            data.Groups,
            data.ExcludedRows);
        return new GroupThresholdResult(Rule, target, thresholds, report);
    }
}
