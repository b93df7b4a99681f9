using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

public sealed class InfluenceProblemTests
{
    private static (TabularModel Network, Tensor Inputs, Tensor Labels) CreateProblem(int rows)
    {
        manual_seed(3);
        var network = new TabularModel(6, [5, 4]);
        var inputs = randn(rows, 6, float64);
        var labels = (rand(rows) > 0.5).to(float32);
        return (network, inputs, labels);
    }

    [Theory]
    [InlineData(new[] { 2 }, true)]
    [InlineData(new[] { 2 }, false)]
    [InlineData(new[] { 0, 2 }, false)]
    [InlineData(new[] { 0, 1, 2 }, false)]
    public void PerSampleGradients_MatchAutogradOnSingleSamples(int[] layers, bool closedForm)
    {
        var (network, inputs, labels) = CreateProblem(rows: 12);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.01, closedForm);

        var batched = problem.PerSampleGradients(inputs, labels);

        Assert.Equal([12L, stack.ParameterCount], batched.shape);
        for (int row = 0; row < 12; row++)
        {
            var single = inputs.narrow(0, row, 1);
            var loss = nn.functional.binary_cross_entropy_with_logits(stack.Logits(stack.Prefix(single)), labels.narrow(0, row, 1).to(float64));
            var expected = LinearStack.Flatten(autograd.grad([loss], stack.Parameters));
            double difference = (batched[row] - expected).abs().max().item<double>();
            Assert.True(difference < 1e-12, $"row {row}: max difference {difference}");
        }
    }

    [Theory]
    [InlineData(new[] { 2 }, 0.05)]
    [InlineData(new[] { 1, 2 }, 5.0)]
    public void Solve_MatchesExplicitHessianSolve(int[] layers, double damping)
    {
        var (network, inputs, labels) = CreateProblem(rows: 200);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping);
        var b = randn(stack.ParameterCount, float64);

        var result = problem.Solve(b, CancellationToken.None);
        var hessian = problem.ExplicitHessian(CancellationToken.None);
        var expected = linalg.solve(hessian + damping * eye(stack.ParameterCount, dtype: float64), b);

        double error = ((result.Solution - expected).norm() / expected.norm()).item<double>();
        Assert.True(error < 1e-8, $"relative error {error}");
        Assert.True(result.RelativeResidual < 1e-9, $"residual {result.RelativeResidual}");
        Assert.InRange(result.Iterations, 1, 2000);
    }

    // 9,000 rows span three chunks of LinearStack.PrefixChunkRows, the last one partial.
    [Theory]
    [InlineData(40)]
    [InlineData(9_000)]
    public void OutputLayerHessian_ClosedFormMatchesAutograd(int rows)
    {
        var (network, inputs, labels) = CreateProblem(rows);
        using var stack = new LinearStack(network, [2]);
        using var closedForm = new InfluenceProblem(stack, inputs, labels, damping: 0);
        using var autograd = new InfluenceProblem(stack, inputs, labels, damping: 0, closedFormOutputLayer: false);

        var difference = (closedForm.ExplicitHessian(CancellationToken.None) - autograd.ExplicitHessian(CancellationToken.None)).abs().max();
        var gradientDifference = (closedForm.Gradient - autograd.Gradient).abs().max();

        Assert.True(difference.item<double>() < 1e-12, $"Hessian difference {difference.item<double>()}");
        Assert.True(gradientDifference.item<double>() < 1e-12, $"gradient difference {gradientDifference.item<double>()}");
    }

    [Fact]
    public void ExplicitHessian_IsSymmetric()
    {
        var (network, inputs, labels) = CreateProblem(rows: 50);
        using var stack = new LinearStack(network, [0, 1, 2]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0);

        var hessian = problem.ExplicitHessian(CancellationToken.None);

        Assert.True((hessian - hessian.t()).abs().max().item<double>() < 1e-12);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 }, 30)]
    [InlineData(new[] { 1 }, 30)]
    [InlineData(new[] { 1 }, 9_000)]
    public void Scores_HiddenLayers_EqualPerSampleGradients(int[] layers, int rows)
    {
        var (network, inputs, labels) = CreateProblem(rows);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.01, curvature: CurvatureKind.GaussNewton);
        var solved = randn(stack.ParameterCount, float64);

        double[] scores = problem.Scores(inputs, labels, solved, CancellationToken.None);
        var sum = problem.SumOfGradients(inputs, labels, CancellationToken.None);

        var gradients = problem.PerSampleGradients(inputs, labels);
        var expected = gradients.matmul(solved).neg().data<double>().ToArray();
        Assert.Equal(expected, scores, (a, b) => Math.Abs(a - b) < 1e-10);
        Assert.True((sum - gradients.sum(dim: 0)).abs().max().item<double>() < 1e-10);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(9_000)]
    public void Scores_EqualNegativeDotWithSolvedGradient(int rows)
    {
        var (network, inputs, labels) = CreateProblem(rows);
        using var stack = new LinearStack(network, [2]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.01);
        var solved = randn(stack.ParameterCount, float64);

        double[] scores = problem.Scores(inputs, labels, solved, CancellationToken.None);

        var expected = problem.PerSampleGradients(inputs, labels).matmul(solved).neg().data<double>().ToArray();
        Assert.Equal(expected, scores, (a, b) => Math.Abs(a - b) < 1e-12);
    }
}
