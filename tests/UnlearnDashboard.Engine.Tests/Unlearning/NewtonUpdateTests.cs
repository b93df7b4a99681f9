using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Unlearning;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Unlearning;

public sealed class NewtonUpdateTests
{
    private static (TabularModel Network, Tensor Inputs, Tensor Labels, Tensor Counterfactuals) CreateProblem(int rows)
    {
        manual_seed(11);
        var network = new TabularModel(5, [4, 3]);
        var inputs = randn(rows, 5, float64);
        var labels = (rand(rows) > 0.5).to(float32);

        // The counterfactual flips the sign of the first column, as a sensitive one-hot swap would change it.
        var counterfactuals = inputs.clone();
        counterfactuals[TensorIndex.Colon, 0] = inputs[TensorIndex.Colon, 0].neg();
        return (network, inputs, labels, counterfactuals);
    }

    /// <summary>Returns the gradient of one row's loss by autograd.</summary>
    private static Tensor RowGradient(LinearStack stack, Tensor input, Tensor label)
    {
        var loss = nn.functional.binary_cross_entropy_with_logits(stack.Logits(stack.Prefix(input.unsqueeze(0))), label.unsqueeze(0).to(float64));
        return LinearStack.Flatten(autograd.grad([loss], stack.Parameters)).detach();
    }

    [Theory]
    [InlineData(new[] { 2 }, 1.0, 1.0)]
    [InlineData(new[] { 1, 2 }, 1.0, 0.5)]
    [InlineData(new[] { 0, 1, 2 }, 2.0, 0.0)]
    public void ReplacementStep_MatchesExplicitComputation(int[] layers, double removeWeight, double addWeight)
    {
        var (network, inputs, labels, counterfactuals) = CreateProblem(rows: 60);
        using var stack = new LinearStack(network, layers);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.1);
        long[] harmful = [3, 17, 42];
        var positions = tensor(harmful);

        var step = NewtonUpdates.Step(problem, inputs.index_select(0, positions), labels.index_select(0, positions),
            counterfactuals.index_select(0, positions), removeWeight, addWeight, null, CancellationToken.None);

        var sum = zeros(stack.ParameterCount, float64);
        foreach (long row in harmful)
        {
            sum += removeWeight * RowGradient(stack, inputs[row], labels[row]);
            sum -= addWeight * RowGradient(stack, counterfactuals[row], labels[row]);
        }

        var hessian = problem.ExplicitHessian(CancellationToken.None);
        var expected = linalg.solve(hessian + 0.1 * eye(stack.ParameterCount, dtype: float64), sum) / 60.0;
        double error = ((step.Solution - expected).norm() / expected.norm()).item<double>();
        Assert.True(error < 1e-8, $"relative error {error}");
    }

    [Fact]
    public void MaskedStep_ChangesOnlyMaskedWeightsAndSolvesRestrictedSystem()
    {
        var (network, inputs, labels, counterfactuals) = CreateProblem(rows: 60);
        using var stack = new LinearStack(network, [1, 2]);
        using var problem = new InfluenceProblem(stack, inputs, labels, damping: 0.1);
        var positions = tensor(new long[] { 1, 2, 30 });
        long[] kept = [0, 4, 7, 15, 16, 18];
        var mask = zeros(stack.ParameterCount, float64);
        mask.index_fill_(0, tensor(kept), 1.0);

        var step = NewtonUpdates.Step(problem, inputs.index_select(0, positions), labels.index_select(0, positions),
            counterfactuals.index_select(0, positions), 1, 1, mask, CancellationToken.None);

        var nonZero = step.Solution.ne(0).nonzero().squeeze(1).data<long>().ToArray();
        Assert.All(nonZero, index => Assert.Contains(index, kept));

        var full = NewtonUpdates.Step(problem, inputs.index_select(0, positions), labels.index_select(0, positions),
            counterfactuals.index_select(0, positions), 1, 1, null, CancellationToken.None);
        var hessian = problem.ExplicitHessian(CancellationToken.None);
        var keptIndex = tensor(kept);
        var restricted = hessian.index_select(0, keptIndex).index_select(1, keptIndex) + 0.1 * eye(kept.Length, dtype: float64);
        var target = problem.SumOfGradients(inputs.index_select(0, positions), labels.index_select(0, positions), CancellationToken.None)
            - problem.SumOfGradients(counterfactuals.index_select(0, positions), labels.index_select(0, positions), CancellationToken.None);
        var expected = linalg.solve(restricted, target.index_select(0, keptIndex)) / 60.0;
        double error = ((step.Solution.index_select(0, keptIndex) - expected).norm() / expected.norm()).item<double>();
        Assert.True(error < 1e-8, $"relative error {error}");
        Assert.False(full.Solution.eq(step.Solution).all().item<bool>());
    }
}
