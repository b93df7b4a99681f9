using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Tests.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Evidence;

public sealed class ReweighingTests(AdultModelFixture fixture) : IClassFixture<AdultModelFixture>
{
    [Fact]
    public void Weights_SmallTable_MatchHandValues()
    {
        // n = 6, P(A) = P(B) = 1/2, P(+) = 1/2. w(A,+) = 1/4 / (2/6) = 0.75, w(A,-) = 1/4 / (1/6) = 1.5,
        // w(B,+) = 1.5, w(B,-) = 0.75.
        string[] groups = ["A", "A", "A", "B", "B", "B"];
        bool[] labels = [true, true, false, true, false, false];

        var weights = Reweighing.Weights(groups, labels);

        Assert.Equal(4, weights.Count);
        Assert.Equal(new ReweighingWeight("A", false, 1, 1.5), weights[0]);
        Assert.Equal(new ReweighingWeight("A", true, 2, 0.75), weights[1]);
        Assert.Equal(new ReweighingWeight("B", false, 2, 0.75), weights[2]);
        Assert.Equal(new ReweighingWeight("B", true, 1, 1.5), weights[3]);
        Assert.Equal([0.75f, 0.75f, 1.5f, 1.5f, 0.75f, 0.75f], Reweighing.SampleWeights(groups, labels, weights));
    }

    [Fact]
    public void Weights_MakeGroupAndLabelIndependent()
    {
        var data = fixture.Data;
        var labels = data.Train.Labels.Select(l => l > 0.5f).ToArray();

        var table = Reweighing.Weights(data.Train.Groups, labels);

        float[] weights = Reweighing.SampleWeights(data.Train.Groups, labels, table);
        foreach (string group in data.Groups)
        {
            double total = Enumerable.Range(0, labels.Length).Where(i => data.Train.Groups[i] == group).Sum(i => (double)weights[i]);
            double positive = Enumerable.Range(0, labels.Length).Where(i => data.Train.Groups[i] == group && labels[i]).Sum(i => (double)weights[i]);
            Assert.Equal(labels.Count(l => l) / (double)labels.Length, positive / total, 1e-6);
        }
    }

    [Fact]
    public void Run_Adult_LowersParityGap()
    {
        var data = fixture.Data;
        using var inputs = fixture.Model.EncodeInputs(data.Train);
        using var labels = tensor(data.Train.Labels);
        var before = FairnessEvaluator.Evaluate(fixture.Model, data, "test");

        var result = Reweighing.Run(fixture.Model, data, inputs, labels, CancellationToken.None);

        double dpBefore = before.DemographicParityDifference!.Value;
        double dpAfter = result.Report.DemographicParityDifference!.Value;
        Assert.True(dpAfter < dpBefore - 0.02, $"demographic parity difference {dpBefore:F4} -> {dpAfter:F4}");
    }
}
