using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

/// <summary>The Gauss-Newton product from cached Jacobian factors, against the autograd construction.</summary>
public sealed class GaussNewtonSolveTests
{
    private static (TabularModel Network, Tensor Inputs, Tensor Labels) CreateProblem(int rows)
    {
        manual_seed(11);
        var network = new TabularModel(6, [5, 4]);
        var inputs = randn(rows, 6, float64);
        var labels = (rand(rows) > 0.5).to(float32);
        return (network, inputs, labels);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 })]
    [InlineData(new[] { 0, 2 })]
    [InlineData(new[] { 1 })]
    public void FactorProduct_EqualsAutogradProduct(int[] layers)
    {
        var (network, inputs, labels) = CreateProblem(rows: 300);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0, curvature: CurvatureKind.GaussNewton);

        for (int trial = 0; trial < 5; trial++)
        {
            var vector = randn(stack.ParameterCount, float64);

            var product = problem.HessianVectorProduct(vector);
            var expected = problem.AutogradCurvatureProduct(vector);

            double error = ((product - expected).norm() / expected.norm()).item<double>();
            Assert.True(error < 1e-10, $"trial {trial}: relative difference {error}");
        }
    }
}
