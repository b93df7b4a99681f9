using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Influence;

/// <summary>The curvature sub-sample that large training splits use: the curvature changes, the gradient and scores do not.</summary>
public sealed class CurvatureSampleTests
{
    private const int Rows = 200;
    private const int SampleRows = 50;

    public static TheoryData<int[], CurvatureKind> Cases => new()
    {
        { [0, 1, 2], CurvatureKind.GaussNewton },
        { [0, 1, 2], CurvatureKind.Hessian },
        { [2], CurvatureKind.Hessian },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampledProblem_KeepsGradientAndScores(int[] layers, CurvatureKind curvature)
    {
        var (network, inputs, labels) = CreateProblem();
        using var stack = new LinearStack(network, layers);
        using var full = new InfluenceProblem(stack, inputs, labels, 0.01, curvature: curvature);
        using var sampled = new InfluenceProblem(stack, inputs, labels, 0.01, curvature: curvature, curvatureSampleRows: SampleRows);
        var vector = randn(stack.ParameterCount, float64);

        double[] fullScores = full.TrainScores(vector, CancellationToken.None);
        double[] sampledScores = sampled.TrainScores(vector, CancellationToken.None);

        Assert.Equal(Rows, full.CurvatureCount);
        Assert.Equal(SampleRows, sampled.CurvatureCount);
        Assert.Equal(Rows, sampled.TrainCount);
        Assert.True(MaxDifference(full.Gradient, sampled.Gradient) < 1e-12, "the sampled problem's gradient differs");
        Assert.Equal(Rows, sampledScores.Length);
        Assert.True(fullScores.Zip(sampledScores, (a, b) => Math.Abs(a - b)).Max() < 1e-12, "the sampled problem's scores differ");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampledProblem_UsesCurvatureOfSampleRows(int[] layers, CurvatureKind curvature)
    {
        var (network, inputs, labels) = CreateProblem();
        using var stack = new LinearStack(network, layers);
        using var sampled = new InfluenceProblem(stack, inputs, labels, 0.01, curvature: curvature, curvatureSampleRows: SampleRows);
        using var positions = InfluenceProblem.SampleRows(Rows, SampleRows);
        using var onSample = new InfluenceProblem(stack, inputs.index_select(0, positions), labels.index_select(0, positions), 0.01, curvature: curvature);
        var vector = randn(stack.ParameterCount, float64);

        var sampledProduct = sampled.HessianVectorProduct(vector);
        var expected = onSample.HessianVectorProduct(vector);

        Assert.Equal(SampleRows, positions.data<long>().ToArray().Distinct().Count());
        Assert.True(MaxDifference(sampledProduct, expected) < 1e-12, "the curvature is not that of the sample rows");
    }

    private static (TabularModel Network, Tensor Inputs, Tensor Labels) CreateProblem()
    {
        manual_seed(11);
        var network = new TabularModel(6, [5, 4]);
        var inputs = randn(Rows, 6);
        var labels = (rand(Rows) > 0.5).to(float32);
        return (network, inputs, labels);
    }

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<double>();
}
