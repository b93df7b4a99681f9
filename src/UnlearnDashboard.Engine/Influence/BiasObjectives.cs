using TorchSharp;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// Differentiable bias objectives computed from logits. The rates are smooth: a group's selection rate is its
/// mean predicted probability, its true positive rate the mean probability over its rows with label 1, and its
/// false positive rate the mean over its rows with label 0.
/// </summary>
public static class BiasObjectives
{
    /// <summary>
    /// Returns the smooth demographic parity gap: max minus min over groups of the mean predicted
    /// probability. <paramref name="groupIndex"/> gives each row's group in [0, groupCount); groups
    /// without rows are skipped.
    /// </summary>
    public static Tensor SmoothDemographicParityGap(Tensor logits, int[] groupIndex, int groupCount)
    {
        using var scope = NewDisposeScope();
        var probabilities = sigmoid(logits);
        var groups = tensor(groupIndex.Select(i => (long)i).ToArray());
        var means = new List<Tensor>();
        for (int g = 0; g < groupCount; g++)
        {
            using var group = g.ToScalar();
            var mask = groups.eq(group);
            if (mask.any().item<bool>())
                means.Add(probabilities.masked_select(mask).mean());
        }

        if (means.Count < 2)
        {
            throw EngineException.Precondition("sensitive_attribute",
                $"The bias objective needs at least two groups with rows in the validation split; found {means.Count}.");
        }

        var stacked = stack(means);
        return (stacked.max() - stacked.min()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Returns the smooth equalized-odds gap: the larger of the true-positive-rate gap and the
    /// false-positive-rate gap over the groups that have rows. Throws <see cref="EngineException"/> (failed
    /// precondition, field <c>objective</c>) naming a group with rows but no positive or no negative labels,
    /// whose rate would have a denominator of 0.
    /// </summary>
    public static Tensor SmoothEqualizedOddsGap(Tensor logits, float[] labels, int[] groupIndex, IReadOnlyList<string> groupNames)
    {
        using var scope = NewDisposeScope();
        var truePositive = RateGap(logits, labels, groupIndex, groupNames, label: 1f);
        var falsePositive = RateGap(logits, labels, groupIndex, groupNames, label: 0f);
        return maximum(truePositive, falsePositive).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Returns the smooth false-positive-rate gap, max minus min over groups of the mean probability on rows
    /// with label 0. Throws like <see cref="SmoothEqualizedOddsGap"/> for a group without negative labels.
    /// </summary>
    public static Tensor SmoothFalsePositiveRateGap(Tensor logits, float[] labels, int[] groupIndex, IReadOnlyList<string> groupNames) =>
        RateGap(logits, labels, groupIndex, groupNames, label: 0f);

    /// <summary>
    /// Returns the smooth true-positive-rate gap, max minus min over groups of the mean probability on rows
    /// with label 1. Throws like <see cref="SmoothEqualizedOddsGap"/> for a group without positive labels.
    /// </summary>
    public static Tensor SmoothTruePositiveRateGap(Tensor logits, float[] labels, int[] groupIndex, IReadOnlyList<string> groupNames) =>
        RateGap(logits, labels, groupIndex, groupNames, label: 1f);

    /// <summary>Returns the counterfactual gap, the mean of |sigmoid(original) - sigmoid(counterfactual)| over paired rows.</summary>
    public static Tensor CounterfactualGap(Tensor originalLogits, Tensor counterfactualLogits)
    {
        using var scope = NewDisposeScope();
        return (sigmoid(originalLogits) - sigmoid(counterfactualLogits)).abs().mean().MoveToOuterDisposeScope();
    }

    private static Tensor RateGap(Tensor logits, float[] labels, int[] groupIndex, IReadOnlyList<string> groupNames, float label)
    {
        using var scope = NewDisposeScope();
        var probabilities = sigmoid(logits);
        string rate = label == 1f ? "true positive rate" : "false positive rate";
        var rates = new List<Tensor>();
        for (int g = 0; g < groupNames.Count; g++)
        {
            long[] members = Enumerable.Range(0, groupIndex.Length).Where(i => groupIndex[i] == g).Select(i => (long)i).ToArray();
            if (members.Length == 0)
                continue;

            long[] denominator = members.Where(i => labels[i] == label).ToArray();
            if (denominator.Length == 0)
            {
                throw EngineException.Precondition("objective",
                    $"The {rate} of group '{groupNames[g]}' is undefined: its {members.Length} validation rows have no label {label}. "
                    + "Choose the demographic parity objective or a split with both labels in every group.",
                    groupNames[g]);
            }

            rates.Add(probabilities.index_select(0, tensor(denominator)).mean());
        }

        if (rates.Count < 2)
        {
            throw EngineException.Precondition("sensitive_attribute",
                $"The bias objective needs at least two groups with rows in the validation split; found {rates.Count}.");
        }

        var stacked = stack(rates);
        return (stacked.max() - stacked.min()).MoveToOuterDisposeScope();
    }
}
