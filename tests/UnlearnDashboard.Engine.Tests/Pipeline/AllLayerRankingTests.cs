using System.Diagnostics;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Pipeline;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

/// <summary>
/// The influence ranking over every layer of the default Adult model: its time against one training run's, printed,
/// and its agreement with the solve it replaced: autograd Gauss-Newton products, conjugate gradients to a residual of 1e-10.
/// </summary>
[Trait("Category", "Bench")]
public sealed class AllLayerRankingTests(AdultModelFixture fixture, ITestOutputHelper output) : IClassFixture<AdultModelFixture>
{
    private static readonly string[] AllLayers = ["fc1", "fc2", "fc3"];

    [Fact]
    public void Ranking_AllLayers_TimeAgainstRetrain()
    {
        var options = new DebiasOptions { Method = DebiasMethod.InfluenceNewton, Layers = AllLayers, CompareRetrain = true };

        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, options, null, CancellationToken.None);

        var timings = outcome.Timings;
        var influence = outcome.Influence;
        output.WriteLine($"layers {string.Join(",", influence.Layers)}, {influence.ParameterCount} parameters, {fixture.Data.Train.Count} training rows");
        output.WriteLine($"lambda {influence.Damping:G3} (by rule: {influence.DampingChosenByRule}), {influence.SolverIterations} iterations, residual {influence.SolverResidual:G3}");
        output.WriteLine("ranking s | unlearning s | retrain s | ranking / retrain");
        output.WriteLine($"{timings.RankingSeconds,9:F3} | {timings.UnlearningSeconds,12:F3} | {timings.RetrainSeconds,9:F3} | {timings.RankingSeconds / timings.RetrainSeconds,17:F3}");
        Assert.True(influence.SolverResidual <= DebiasOptions.DampingRuleTolerance, $"residual {influence.SolverResidual}");
    }

    [Fact]
    public void Ranking_AllLayers_AgreesWithAutogradSolveTo1e10()
    {
        using var objective = CreateObjective();
        using var trainInputs = fixture.Model.EncodeInputs(fixture.Data.Train);
        using var trainLabels = tensor(fixture.Data.Train.Labels);
        var layers = AllLayers.Select(fixture.Model.Network.IndexOfLayer).ToList();
        using var stack = new LinearStack(fixture.Model.Network, layers);
        using var problem = new InfluenceProblem(stack, trainInputs, trainLabels, DebiasOptions.DampingGrid[0], curvature: CurvatureKind.Auto);
        var (_, gradient) = objective.ValueAndGradient(stack);

        var watch = Stopwatch.StartNew();
        var fast = problem.Solve(gradient, CancellationToken.None, DebiasOptions.DampingRuleTolerance);
        double fastSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        int maxIterations = (int)Math.Min(Math.Max(100, 4 * stack.ParameterCount), 2000);
        var reference = ConjugateGradient.Solve(
            v => problem.AutogradCurvatureProduct(v).add_(v, DebiasOptions.DampingGrid[0]),
            gradient, InfluenceProblem.DefaultTolerance, maxIterations, CancellationToken.None);
        double referenceSeconds = watch.Elapsed.TotalSeconds;

        double[] fastScores = problem.TrainScores(fast.Solution, CancellationToken.None);
        double[] referenceScores = problem.TrainScores(reference.Solution, CancellationToken.None);
        int count = (int)Math.Round(0.05 * fastScores.Length);
        var rowIds = fixture.Data.Train.RowIds;
        var fastTop = DebiasPipeline.MostHarmful(fastScores, rowIds, count).ToHashSet();
        var referenceTop = DebiasPipeline.MostHarmful(referenceScores, rowIds, count);
        double overlap = referenceTop.Count(fastTop.Contains) / (double)count;
        double spearman = SpearmanCorrelation(fastScores, referenceScores);
        double solutionError = ((fast.Solution - reference.Solution).norm() / reference.Solution.norm()).item<double>();
        output.WriteLine("solve | iterations | residual | seconds");
        output.WriteLine($"cached factors, to 1e-6 | {fast.Iterations} | {fast.RelativeResidual:G3} | {fastSeconds:F3}");
        output.WriteLine($"autograd product, to 1e-10 | {reference.Iterations} | {reference.RelativeResidual:G3} | {referenceSeconds:F3}");
        output.WriteLine($"relative solution difference {solutionError:G3}, top-5% overlap {overlap:F4} ({count} rows), Spearman {spearman:F6}");

        Assert.True(fast.RelativeResidual <= DebiasOptions.DampingRuleTolerance, $"residual {fast.RelativeResidual}");
        Assert.True(overlap >= 0.99, $"top-5% overlap {overlap}");
        Assert.True(spearman >= 0.999, $"Spearman correlation {spearman}");
    }

    private ObjectiveContext CreateObjective()
    {
        var data = fixture.Data;
        return new ObjectiveContext(
            BiasObjectiveKind.DemographicParity,
            fixture.Model.EncodeInputs(data.Validation),
            data.Validation.Labels,
            DebiasPipeline.GroupIndex(data.Validation, data.Groups),
            data.Groups);
    }

    internal static double SpearmanCorrelation(double[] a, double[] b)
    {
        double[] rankA = Ranks(a);
        double[] rankB = Ranks(b);
        double meanA = rankA.Average();
        double meanB = rankB.Average();
        double covariance = 0, varianceA = 0, varianceB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            covariance += (rankA[i] - meanA) * (rankB[i] - meanB);
            varianceA += (rankA[i] - meanA) * (rankA[i] - meanA);
            varianceB += (rankB[i] - meanB) * (rankB[i] - meanB);
        }

        return covariance / Math.Sqrt(varianceA * varianceB);
    }

    private static double[] Ranks(double[] values)
    {
        int[] order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (int position = 0; position < order.Length; position++)
            ranks[order[position]] = position;
        return ranks;
    }
}
