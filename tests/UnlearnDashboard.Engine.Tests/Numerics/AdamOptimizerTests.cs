using TorchSharp.Modules;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Numerics;

public sealed class AdamOptimizerTests
{
    private static readonly double[] Start = [0.5, -1.25, 2.0, 0.0];

    /// <summary>Runs Adam's update (Kingma and Ba, 2015, Algorithm 1) in double on the loss sum(w^2 / 2 + w).</summary>
    private static double[] ReferenceAdam(int steps, double learningRate)
    {
        var weights = (double[])Start.Clone();
        var first = new double[weights.Length];
        var second = new double[weights.Length];
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < weights.Length; i++)
            {
                double gradient = weights[i] + 1;
                first[i] = 0.9 * first[i] + 0.1 * gradient;
                second[i] = 0.999 * second[i] + (1 - 0.999) * gradient * gradient;
                double firstUnbiased = first[i] / (1 - Math.Pow(0.9, t));
                double secondUnbiased = second[i] / (1 - Math.Pow(0.999, t));
                weights[i] -= learningRate * firstUnbiased / (Math.Sqrt(secondUnbiased) + 1e-8);
            }
        }

        return weights;
    }

    [Fact]
    public void Step_MatchesAdamInDouble()
    {
        using var weights = new Parameter(tensor(Start.Select(w => (float)w).ToArray()));
        using var optimizer = new AdamOptimizer([weights], learningRate: 0.1);

        for (int step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var loss = (weights * weights / 2 + weights).sum();
            loss.backward();
            optimizer.Step();
        }

        var expected = ReferenceAdam(25, 0.1);
        var actual = weights.detach().data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void ZeroGrad_ClearsAccumulatedGradient()
    {
        using var weights = new Parameter(tensor(new[] { 1f, 2f }));
        using var optimizer = new AdamOptimizer([weights], learningRate: 0.01);
        using (var scope = NewDisposeScope())
            (weights * 3).sum().backward();

        optimizer.ZeroGrad();

        Assert.Equal([0f, 0f], weights.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Step_LeavesParameterWithoutGradient()
    {
        using var weights = new Parameter(tensor(new[] { 1f, 2f }));
        using var optimizer = new AdamOptimizer([weights], learningRate: 0.5);

        optimizer.Step();

        Assert.Equal([1f, 2f], weights.detach().data<float>().ToArray());
    }
}
