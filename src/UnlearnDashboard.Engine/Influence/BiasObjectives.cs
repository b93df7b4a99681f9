using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>Differentiable bias objectives computed from logits.</summary>
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
            var mask = groups.eq(g);
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
}
