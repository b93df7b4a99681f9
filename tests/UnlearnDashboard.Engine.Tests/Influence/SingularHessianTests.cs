using UnlearnDashboard.Engine.Influence;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

/// <summary>
/// Logistic regression on [sex_Male, sex_Female, x] plus a bias, whose Hessian is singular because the two
/// one-hot columns add up to the bias input: v = (1, 1, 0, -1) satisfies H v = 0 at every theta.
/// </summary>
public sealed class SingularHessianTests
{
    private static (Tensor Inputs, Tensor Labels) ReadCase()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Cases", "C10.csv"))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(','))
            .ToList();
        double[] inputs = rows.SelectMany(r => new[] { r[1] == "Male" ? 1.0 : 0.0, r[1] == "Female" ? 1.0 : 0.0, double.Parse(r[2]) }).ToArray();
        double[] labels = rows.Select(r => double.Parse(r[3])).ToArray();
        return (tensor(inputs, [rows.Count, 3], float64), tensor(labels, float64));
    }

    private static LinearStack CreateStack(double[] theta) =>
        new([tensor(theta[..3], [1, 3], float64)], [tensor(theta[3..], float64)], [0]);

    private static double[] Values(Tensor t) => t.data<double>().ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HessianVectorProduct_AtZero_MatchesClosedForm(bool closedForm)
    {
        var (inputs, labels) = ReadCase();
        using var stack = CreateStack([0, 0, 0, 0]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0, closedForm);

        var product = Values(problem.HessianVectorProduct(tensor(new[] { 0.0, 0, 0, 1 })));
        var hessian = problem.ExplicitHessian(CancellationToken.None);

        Assert.Equal([0.125, 0.125, 0.625, 0.25], product, (a, b) => Math.Abs(a - b) < 1e-12);
        double[,] expected = { { 4, 0, 10, 4 }, { 0, 4, 10, 4 }, { 10, 10, 60, 20 }, { 4, 4, 20, 8 } };
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
                Assert.Equal(expected[i, j] / 32, hessian[i, j].item<double>(), 1e-12);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HessianVectorProduct_NullVector_IsZeroAtAnyTheta(bool closedForm)
    {
        var (inputs, labels) = ReadCase();
        var random = new Random(7);

        for (int trial = 0; trial < 5; trial++)
        {
            double[] theta = Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            using var stack = CreateStack(theta);
            using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0, closedForm);

            var product = problem.HessianVectorProduct(tensor(new[] { 1.0, 1, 0, -1 }));

            Assert.True(product.abs().max().item<double>() <= 1e-12, $"|Hv| at theta [{string.Join(", ", theta)}]");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solve_Damped_MatchesReferenceInThreeIterations(bool closedForm)
    {
        var (inputs, labels) = ReadCase();
        using var stack = CreateStack([0, 0, 0, 0]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.01, closedForm);
        var gradient = MeanLossGradient(stack, inputs, labels);

        var result = problem.Solve(gradient, CancellationToken.None);

        Assert.Equal([-0.125, 0.125, -0.125, 0], Values(gradient), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([-0.646484, 1.205368, -0.344273, 0.558884], Values(result.Solution), (a, b) => Math.Abs(a - b) < 5e-7);
        Assert.Equal(3, result.Iterations);
        Assert.True(result.RelativeResidual < 1e-10, $"residual {result.RelativeResidual}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solve_Undamped_RejectsSingularHessian(bool closedForm)
    {
        var (inputs, labels) = ReadCase();
        using var stack = CreateStack([0, 0, 0, 0]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0, closedForm);
        var gradient = MeanLossGradient(stack, inputs, labels);

        var error = Assert.Throws<EngineException>(() => problem.Solve(gradient, CancellationToken.None));

        Assert.Equal(EngineErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal("damping", error.Field);
        Assert.Contains("singular", error.Message);
    }

    [Fact]
    public void NewtonStep_AtOptimum_DoesNotMoveAlongNullVector()
    {
        var (inputs, labels) = ReadCase();
        double[] theta = FitMinimumNorm(inputs, labels);
        using var stack = CreateStack(theta);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.01);
        var removed = tensor(new long[] { 0, 5 });

        var sum = problem.SumOfGradients(inputs.index_select(0, removed), labels.index_select(0, removed), CancellationToken.None);
        var step = problem.Solve(sum, CancellationToken.None).Solution / 8.0;

        double[] probabilities = Values(stack.Logits(stack.Prefix(inputs)).sigmoid().detach());
        Assert.Equal([0.585935, 0.713779, 0.814637, 0.885649, 0.114351, 0.185363, 0.286221, 0.414065], probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal([0.724934, -1.669301, 0.566620, -0.944367], theta, (a, b) => Math.Abs(a - b) < 1e-5);
        var eigenvalues = Values(linalg.eigvalsh(problem.ExplicitHessian(CancellationToken.None)));
        Assert.Equal([0, 0.031949, 0.091276, 1.534502], eigenvalues, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.True(Math.Abs(step.dot(tensor(new[] { 1.0, 1, 0, -1 })).item<double>()) < 1e-12);
    }

    private static Tensor MeanLossGradient(LinearStack stack, Tensor inputs, Tensor labels)
    {
        var loss = nn.functional.binary_cross_entropy_with_logits(stack.Logits(stack.Prefix(inputs)), labels);
        return LinearStack.Flatten(autograd.grad([loss], stack.Parameters)).detach();
    }

    /// <summary>Newton's method from 0 with a tiny damping, whose steps never leave the span orthogonal to v.</summary>
    private static double[] FitMinimumNorm(Tensor inputs, Tensor labels)
    {
        double[] theta = [0, 0, 0, 0];
        for (int iteration = 0; iteration < 50; iteration++)
        {
            using var stack = CreateStack(theta);
            using var problem = new InfluenceProblem(stack, inputs, labels, damping: 1e-12);
            var gradient = MeanLossGradient(stack, inputs, labels);
            if (gradient.norm().item<double>() < 1e-13)
                break;
            var step = problem.Solve(gradient, CancellationToken.None).Solution;
            theta = theta.Zip(Values(step), (t, s) => t - s).ToArray();
        }

        return theta;
    }
}
