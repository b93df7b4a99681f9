using System.Diagnostics;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

/// <summary>
/// Prints, for the all-layer ranking of the default Adult model, how faster variants agree with the full
/// Gauss-Newton solve to 1e-10: the solve stopped at 1e-6, the EK-FAC approximation used as the curvature itself,
/// and curvature sub-samples. It asserts nothing: none of the faster curvatures reached a top-5% overlap of 0.9
/// when it was written, so none is used.
/// </summary>
[Trait("Category", "Bench")]
public sealed class RankingAlternativesTests(AdultModelFixture fixture, ITestOutputHelper output) : IClassFixture<AdultModelFixture>
{
    [Fact]
    public void Ranking_AllLayers_FasterCurvaturesAgainstFullSolve()
    {
        var data = fixture.Data;
        using var objective = new ObjectiveContext(BiasObjectiveKind.DemographicParity, fixture.Model.EncodeInputs(data.Validation),
            data.Validation.Labels, DebiasPipeline.GroupIndex(data.Validation, data.Groups), data.Groups);
        using var trainInputs = fixture.Model.EncodeInputs(data.Train);
        using var trainLabels = tensor(data.Train.Labels);
        var rowIds = data.Train.RowIds;
        int count = (int)Math.Round(0.05 * data.Train.Count);

        ModelTrainer.Train(data, new ModelSettings(), null, null, CancellationToken.None).Dispose();
        var watch = Stopwatch.StartNew();
        ModelTrainer.Train(data, new ModelSettings(), null, null, CancellationToken.None).Dispose();
        output.WriteLine($"training run {watch.Elapsed.TotalSeconds:F3} s");

        using var stack = new LinearStack(fixture.Model.Network, [0, 1, 2]);
        watch.Restart();
        using var problem = new InfluenceProblem(stack, trainInputs, trainLabels, 1e-4, curvature: CurvatureKind.Auto);
        var (_, gradient) = objective.ValueAndGradient(stack);
        var reference = problem.Solve(gradient, CancellationToken.None);
        double[] referenceScores = problem.TrainScores(reference.Solution, CancellationToken.None);
        output.WriteLine($"reference: full GGN, 1e-10: {reference.Iterations} iterations, residual {reference.RelativeResidual:G3}, {watch.Elapsed.TotalSeconds:F3} s");
        var referenceTop = DebiasPipeline.MostHarmful(referenceScores, rowIds, count);

        watch.Restart();
        var full6 = problem.Solve(gradient, CancellationToken.None, 1e-6);
        double[] full6Scores = problem.TrainScores(full6.Solution, CancellationToken.None);
        Report("full GGN, 1e-6", full6.Iterations, full6.RelativeResidual, 1e-4, watch.Elapsed.TotalSeconds, full6Scores);

        problem.Preconditioned = true;
        watch.Restart();
        var kfac = problem.Precondition!(gradient);
        double[] kfacScores = problem.TrainScores(kfac, CancellationToken.None);
        Report("EK-FAC curvature, lambda 1e-4", 0, double.NaN, 1e-4, watch.Elapsed.TotalSeconds, kfacScores);
        foreach (double lambda in new[] { 1e-3, 1e-2 })
        {
            problem.Damping = lambda;
            var k = problem.Precondition!(gradient);
            Report($"EK-FAC curvature, lambda {lambda}", 0, double.NaN, lambda, 0, problem.TrainScores(k, CancellationToken.None));
        }

        foreach (int rows in new[] { 1024, 2048, 4096, 8192 })
        {
            watch.Restart();
            using var sampleStack = new LinearStack(fixture.Model.Network, [0, 1, 2]);
            using var sampled = new InfluenceProblem(sampleStack, trainInputs, trainLabels, 1e-4, curvature: CurvatureKind.Auto, curvatureSampleRows: rows);
            var (_, g) = objective.ValueAndGradient(sampleStack);
            SolveResult? result = null;
            foreach (double lambda in DebiasOptions.DampingGrid)
            {
                sampled.Damping = lambda;
                result = sampled.Solve(g, CancellationToken.None, 1e-6);
                if (result.RelativeResidual <= 1e-6)
                    break;
            }

            double[] scores = sampled.TrainScores(result!.Solution, CancellationToken.None);
            Report($"sample {rows} rows, 1e-6", result.Iterations, result.RelativeResidual, sampled.Damping, watch.Elapsed.TotalSeconds, scores);
        }

        void Report(string name, int iterations, double residual, double lambda, double seconds, double[] scores)
        {
            var top = DebiasPipeline.MostHarmful(scores, rowIds, count).ToHashSet();
            double overlap = referenceTop.Count(top.Contains) / (double)count;
            output.WriteLine($"{name}: lambda {lambda:G3}, {iterations} iterations, residual {residual:G3}, {seconds:F3} s, top-5% overlap {overlap:F4}, Spearman {AllLayerRankingTests.SpearmanCorrelation(scores, referenceScores):F5}");
        }
    }
}
