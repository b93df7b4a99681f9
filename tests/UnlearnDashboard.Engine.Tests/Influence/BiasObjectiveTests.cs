using UnlearnDashboard.Engine.Influence;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

public sealed class BiasObjectiveTests
{
    private static readonly string[] Groups = ["Male", "Female"];

    // Probabilities 0.8, 0.6 | 0.3, 0.1 for group 0 (labels 1, 0 | 1, 0) and 0.5, 0.2 | 0.4 for group 1.
    private static Tensor Logits(params double[] probabilities) =>
        tensor(probabilities.Select(p => Math.Log(p / (1 - p))).ToArray(), float64);

    [Fact]
    public void EqualizedOdds_IsLargerOfRateGaps()
    {
        var logits = Logits(0.8, 0.3, 0.6, 0.1, 0.5, 0.2, 0.4);
        float[] labels = [1, 0, 1, 0, 1, 0, 0];
        int[] groups = [0, 0, 0, 0, 1, 1, 1];

        double truePositive = BiasObjectives.SmoothTruePositiveRateGap(logits, labels, groups, Groups).item<double>();
        double falsePositive = BiasObjectives.SmoothFalsePositiveRateGap(logits, labels, groups, Groups).item<double>();
        double equalizedOdds = BiasObjectives.SmoothEqualizedOddsGap(logits, labels, groups, Groups).item<double>();

        Assert.Equal(0.7 - 0.5, truePositive, 1e-12);
        Assert.Equal(0.3 - 0.2, falsePositive, 1e-12);
        Assert.Equal(0.2, equalizedOdds, 1e-12);
    }

    [Fact]
    public void EqualizedOdds_GroupWithoutPositives_NamesGroup()
    {
        var logits = Logits(0.8, 0.3, 0.5, 0.2);
        float[] labels = [1, 0, 0, 0];
        int[] groups = [0, 0, 1, 1];

        var error = Assert.Throws<EngineException>(() => BiasObjectives.SmoothEqualizedOddsGap(logits, labels, groups, Groups));

        Assert.Equal(EngineErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal("objective", error.Field);
        Assert.Equal("Female", error.Value);
        Assert.Contains("true positive rate", error.Message);
    }

    [Fact]
    public void FalsePositiveRate_GroupWithoutNegatives_NamesGroup()
    {
        var logits = Logits(0.8, 0.3, 0.5, 0.2);
        float[] labels = [1, 1, 1, 0];
        int[] groups = [0, 0, 1, 1];

        var error = Assert.Throws<EngineException>(() => BiasObjectives.SmoothFalsePositiveRateGap(logits, labels, groups, Groups));

        Assert.Equal("Male", error.Value);
        Assert.Contains("false positive rate", error.Message);
    }

    [Fact]
    public void CounterfactualGap_IsMeanAbsoluteDifference()
    {
        var original = Logits(0.8, 0.3, 0.5);
        var counterfactual = Logits(0.6, 0.4, 0.5);

        double gap = BiasObjectives.CounterfactualGap(original, counterfactual).item<double>();

        Assert.Equal((0.2 + 0.1 + 0) / 3, gap, 1e-12);
    }
}
