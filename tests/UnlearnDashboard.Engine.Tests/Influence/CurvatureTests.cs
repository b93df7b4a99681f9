using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

public sealed class CurvatureTests
{
    private static (TabularModel Network, Tensor Inputs, Tensor Labels) CreateProblem(int rows)
    {
        manual_seed(5);
        var network = new TabularModel(6, [5, 4]);
        var inputs = randn(rows, 6, float64);
        var labels = (rand(rows) > 0.5).to(float32);
        return (network, inputs, labels);
    }

    /// <summary>Returns the Jacobian of the logits, [rows, parameters], one row at a time by autograd.</summary>
    private static Tensor ExplicitJacobian(LinearStack stack, Tensor inputs)
    {
        var gradients = new List<Tensor>();
        for (long i = 0; i < inputs.shape[0]; i++)
        {
            var logit = stack.Logits(stack.Prefix(inputs.narrow(0, i, 1))).sum();
            gradients.Add(LinearStack.Flatten(autograd.grad([logit], stack.Parameters)).detach());
        }

        return TorchSharp.torch.stack(gradients);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 })]
    [InlineData(new[] { 1, 2 })]
    [InlineData(new[] { 0 })]
    public void GaussNewton_EqualsExplicitJacobianProduct(int[] layers)
    {
        var (network, inputs, labels) = CreateProblem(rows: 30);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0, curvature: CurvatureKind.GaussNewton);

        var gaussNewton = problem.ExplicitHessian(CancellationToken.None);

        var jacobian = ExplicitJacobian(stack, inputs);
        var probabilities = stack.Logits(stack.Prefix(inputs)).detach().sigmoid();
        var weights = probabilities * (1 - probabilities) / 30.0;
        var expected = jacobian.t().matmul(jacobian * weights.unsqueeze(1));
        double difference = (gaussNewton - expected).abs().max().item<double>();
        Assert.Equal(CurvatureKind.GaussNewton, problem.Curvature);
        Assert.True(difference < 1e-12, $"max difference {difference}");
        double smallest = linalg.eigvalsh(gaussNewton).min().item<double>();
        Assert.True(smallest > -1e-12, $"smallest eigenvalue {smallest}");
    }

    [Fact]
    public void GaussNewton_DiffersFromHessianOnHiddenLayers()
    {
        var (network, inputs, labels) = CreateProblem(rows: 30);
        using var stack = new LinearStack(network, [1, 2]);
        using var gaussNewton = new InfluenceProblem(stack, inputs, labels, damping: 0, curvature: CurvatureKind.GaussNewton);
        using var hessian = new InfluenceProblem(stack, inputs, labels, damping: 0, curvature: CurvatureKind.Hessian);

        double difference = (gaussNewton.ExplicitHessian(CancellationToken.None) - hessian.ExplicitHessian(CancellationToken.None)).abs().max().item<double>();

        Assert.True(difference > 1e-6, $"max difference {difference}");
    }

    [Fact]
    public void Auto_PicksHessianForOutputLayerAndGaussNewtonOtherwise()
    {
        var (network, inputs, labels) = CreateProblem(rows: 10);
        using var last = new LinearStack(network, [2]);
        using var two = new LinearStack(network, [1, 2]);

        using var lastProblem = new InfluenceProblem(last, inputs, labels, 0.01, curvature: CurvatureKind.Auto);
        using var twoProblem = new InfluenceProblem(two, inputs, labels, 0.01, curvature: CurvatureKind.Auto);

        Assert.Equal(CurvatureKind.Hessian, lastProblem.Curvature);
        Assert.Equal(CurvatureKind.GaussNewton, twoProblem.Curvature);
    }

    [Fact]
    public void JacobianVectorProduct_MatchesExplicitJacobian()
    {
        var (network, inputs, labels) = CreateProblem(rows: 20);
        using var stack = new LinearStack(network, [0, 2]);
        var direction = randn(stack.ParameterCount, float64);

        var product = stack.JacobianVectorProduct(stack.Prefix(inputs), direction);

        var expected = ExplicitJacobian(stack, inputs).matmul(direction);
        Assert.True((product - expected).abs().max().item<double>() < 1e-12);
    }

    [Theory]
    [InlineData(new[] { 2 }, CurvatureKind.Hessian, 0.05)]
    [InlineData(new[] { 1, 2 }, CurvatureKind.GaussNewton, 0.05)]
    public void SolveLissa_MatchesExplicitSolveAndConjugateGradients(int[] layers, CurvatureKind curvature, double damping)
    {
        var (network, inputs, labels) = CreateProblem(rows: 400);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping, curvature: curvature);
        var b = randn(stack.ParameterCount, float64);

        var lissa = problem.SolveLissa(b, batchSize: 200, depth: 3000, repeats: 4, seed: 1, CancellationToken.None);
        var conjugate = problem.Solve(b, CancellationToken.None);

        var hessian = problem.ExplicitHessian(CancellationToken.None);
        var expected = linalg.solve(hessian + damping * eye(stack.ParameterCount, dtype: float64), b);
        double lissaError = ((lissa.Solution - expected).norm() / expected.norm()).item<double>();
        double conjugateError = ((conjugate.Solution - expected).norm() / expected.norm()).item<double>();
        Assert.True(conjugateError < 1e-8, $"conjugate gradients relative error {conjugateError}");
        Assert.True(lissaError < 0.05, $"LiSSA relative error {lissaError}");
        Assert.True(lissa.RelativeResidual < 0.05, $"LiSSA residual {lissa.RelativeResidual}");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(200)]
    public void SolveLissa_DepthRule_MeetsBoundOfExplicitSolve(int batchSize)
    {
        const double damping = 1e-2;
        const double tolerance = 1e-3;
        var (network, inputs, labels) = CreateProblem(rows: 400);
        using var stack = new LinearStack(network, [1, 2]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping, curvature: CurvatureKind.GaussNewton);
        var b = randn(stack.ParameterCount, float64);
        double scale = problem.LissaScale(seed: 1, CancellationToken.None);
        int depth = InfluenceProblem.LissaDepth(damping, scale, tolerance);

        var lissa = problem.SolveLissa(b, batchSize, depth, repeats: 2, seed: 1, scale, CancellationToken.None);
        var conjugate = problem.Solve(b, CancellationToken.None);

        var hessian = problem.ExplicitHessian(CancellationToken.None);
        var expected = linalg.solve(hessian + damping * eye(stack.ParameterCount, dtype: float64), b);
        double lissaError = ((lissa.Solution - expected).norm() / expected.norm()).item<double>();
        double conjugateError = ((conjugate.Solution - expected).norm() / expected.norm()).item<double>();
        Assert.True(conjugateError < 1e-8, $"conjugate gradients relative error {conjugateError}");

        // With every row in each batch the series is exact, so the bound holds; half the rows add sampling noise.
        double allowed = batchSize == 400 ? tolerance : 0.05;
        Assert.True(lissaError < allowed, $"LiSSA relative error {lissaError} after {depth} terms (scale {scale})");
    }

    [Fact]
    public void LissaDepth_SmallerDamping_NeedsDeeperSeries()
    {
        int shallow = InfluenceProblem.LissaDepth(0.1, 1.0, 1e-3);
        int deep = InfluenceProblem.LissaDepth(1e-4, 1.0, 1e-3);

        Assert.Equal(66, shallow);
        Assert.True(deep > 60_000, $"depth {deep}");
        Assert.Equal(int.MaxValue, InfluenceProblem.LissaDepth(0, 1.0, 1e-3));
    }

    [Fact]
    public void SolveLissa_SameSeed_IsDeterministic()
    {
        var (network, inputs, labels) = CreateProblem(rows: 100);
        using var stack = new LinearStack(network, [2]);
        using var problem = new InfluenceProblem(stack, inputs, labels, 0.1);
        var b = randn(stack.ParameterCount, float64);

        var first = problem.SolveLissa(b, 20, 200, 1, seed: 3, CancellationToken.None);
        var second = problem.SolveLissa(b, 20, 200, 1, seed: 3, CancellationToken.None);

        Assert.True(first.Solution.eq(second.Solution).all().item<bool>());
    }
}
