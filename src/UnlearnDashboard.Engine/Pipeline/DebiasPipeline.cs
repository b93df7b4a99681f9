using System.Diagnostics;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>
/// Influence ranking followed by Newton removal of the most harmful training samples on the chosen layers,
/// with fairness before and after on the test split and, on request, a retrain without those samples.
/// </summary>
/// <remarks>
/// Bias objective B is the smooth demographic parity gap on the validation split. For a training sample z,
/// I(z) = -grad B^T (H + lambda I)^-1 grad L(z), with H the Hessian of the mean training loss over the chosen
/// layers; I(z) > 0 means that up-weighting z raises B, so the largest scores are the most harmful. Removing
/// the set R by one Newton step moves the chosen parameters by (1/n) (H + lambda I)^-1 sum over R of grad L(z),
/// which changes B by about -(1/n) sum over R of I(z).
/// </remarks>
public static class DebiasPipeline
{
    public static DebiasOutcome Run(
        TrainedModel model,
        PreparedDataset data,
        DebiasOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        options.Validate();
        var layers = ChooseLayers(model, options);
        var layerNames = layers.Select(i => model.Network.LayerNames[i]).ToList();
        var evaluation = Stopwatch.StartNew();

        progress?.Report(new ProgressUpdate("evaluating", 0.02, "Evaluating the model before unlearning"));
        var before = FairnessEvaluator.Evaluate(model, data, "test");
        double evaluationSeconds = evaluation.Elapsed.TotalSeconds;

        // Encoding is data preparation shared by every method, so neither the ranking nor the retrain counts it.
        using var trainInputs = model.EncodeInputs(data.Train);
        using var trainLabels = tensor(data.Train.Labels);
        using var validationInputs = model.EncodeInputs(data.Validation);
        int[] validationGroups = GroupIndex(data.Validation, data.Groups);

        WarmUpRanking(model, layers, options, trainInputs, trainLabels, validationInputs, validationGroups, data.Groups.Count);

        var ranking = Stopwatch.StartNew();
        using var stack = new LinearStack(model.Network, layers);
        using var problem = new InfluenceProblem(stack, trainInputs, trainLabels, (options.Damping ?? 1e-3));

        progress?.Report(new ProgressUpdate("ranking", 0.05, $"Ranking {data.Train.Count} training samples on {string.Join(", ", layerNames)}"));
        var (objectiveBefore, objectiveGradient) = Objective(stack, validationInputs, validationGroups, data.Groups.Count);
        using var objectiveGradientScope = objectiveGradient;
        var solved = problem.Solve(objectiveGradient, cancellationToken);
        using var solvedGradient = solved.Solution;
        double[] scores = problem.TrainScores(solvedGradient, cancellationToken);
        int removeCount = Math.Max(1, (int)Math.Round(options.RemoveFraction * data.Train.Count));
        int[] removed = MostHarmful(scores, data.Train.RowIds, removeCount);
        double predictedChange = -removed.Sum(i => scores[i]) / data.Train.Count;
        double rankingSeconds = ranking.Elapsed.TotalSeconds;

        progress?.Report(new ProgressUpdate("unlearning", 0.45,
            $"Removing the {removeCount} most harmful samples by Newton steps",
            new LiveMetrics { Step = 1, BiasObjective = objectiveBefore }));

        var unlearning = Stopwatch.StartNew();
        var updated = model.Clone();
        int newtonSteps;
        try
        {
            newtonSteps = options.NewtonSteps == 1
                ? ClassicNewtonStep(updated, problem, trainInputs, trainLabels, removed, cancellationToken)
                : NewtonOnRetained(updated, layers, options, trainInputs, trainLabels, removed, cancellationToken);
        }
        catch
        {
            updated.Dispose();
            throw;
        }

        double unlearningSeconds = unlearning.Elapsed.TotalSeconds;

        try
        {
            evaluation.Restart();
            progress?.Report(new ProgressUpdate("evaluating", 0.5, "Evaluating the updated model"));
            var after = FairnessEvaluator.Evaluate(updated, data, "test");
            double objectiveAfter = MeasureObjective(updated, layers, validationInputs, validationGroups, data.Groups.Count);
            evaluationSeconds += evaluation.Elapsed.TotalSeconds;
            progress?.Report(new ProgressUpdate("evaluating", 0.55, "Evaluated the updated model",
                new LiveMetrics
                {
                    Step = 2,
                    BiasObjective = objectiveAfter,
                    Accuracy = after.Accuracy,
                    DemographicParityDifference = after.DemographicParityDifference,
                    SelectionRates = SelectionRates(after),
                }));

            long[] removedRowIds = removed.Select(i => data.Train.RowIds[i]).ToArray();
            var (retrain, retrainSeconds) = options.CompareRetrain
                ? Retrain(model, data, trainInputs, trainLabels, removed, progress, cancellationToken)
                : (null, 0.0);

            return new DebiasOutcome
            {
                Before = before,
                After = after,
                Retrain = retrain,
                RemovedRowIds = removedRowIds,
                UpdatedModel = updated,
                Timings = new DebiasTimings(rankingSeconds, unlearningSeconds, retrainSeconds, evaluationSeconds),
                Influence = new InfluenceSummary(
                    layerNames,
                    stack.ParameterCount,
                    (options.Damping ?? 1e-3),
                    solved.Iterations,
                    solved.RelativeResidual,
                    objectiveBefore,
                    objectiveBefore + predictedChange,
                    objectiveAfter,
                    newtonSteps),
                Evidence = options.Evidence is null ? null : EvidenceRunner.Compute(
                    new EvidenceInput { BaseModel = model, UpdatedModel = updated, Data = data, RemovedPositions = removed },
                    options.Evidence,
                    progress,
                    cancellationToken),
            };
        }
        catch
        {
            updated.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the ranking once on a few rows, so that one-time JIT compilation and native allocations are not
    /// timed, just as the retrain is timed after a warm-up.
    /// </summary>
    private static void WarmUpRanking(
        TrainedModel model,
        IReadOnlyList<int> layers,
        DebiasOptions options,
        Tensor trainInputs,
        Tensor trainLabels,
        Tensor validationInputs,
        int[] validationGroups,
        int groupCount)
    {
        using var scope = NewDisposeScope();
        long rows = Math.Min(256, trainInputs.shape[0]);
        using var stack = new LinearStack(model.Network, layers);
        using var problem = new InfluenceProblem(stack, trainInputs.narrow(0, 0, rows), trainLabels.narrow(0, 0, rows), Math.Max((options.Damping ?? 1e-3), 1e-3));
        var (_, gradient) = Objective(stack, validationInputs, validationGroups, groupCount);
        var solved = problem.Solve(gradient, CancellationToken.None);
        problem.TrainScores(solved.Solution, CancellationToken.None);
    }

    /// <summary>Returns the positions of the <paramref name="count"/> highest scores, ties broken by row id.</summary>
    internal static int[] MostHarmful(double[] scores, long[] rowIds, int count)
    {
        int[] order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int byScore = scores[b].CompareTo(scores[a]);
            return byScore != 0 ? byScore : rowIds[a].CompareTo(rowIds[b]);
        });
        return order[..count];
    }

    private static IReadOnlyList<int> ChooseLayers(TrainedModel model, DebiasOptions options)
    {
        if (options.Layers.Count == 0)
            return [model.Network.Layers.Count - 1];
        return options.Layers.Select(model.Network.IndexOfLayer).Distinct().Order().ToList();
    }

    /// <summary>Returns each row's position in <paramref name="groups"/>.</summary>
    internal static int[] GroupIndex(TabularSplit split, IReadOnlyList<string> groups)
    {
        var positions = groups.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => p.i, StringComparer.Ordinal);
        return split.Groups.Select(g => positions[g]).ToArray();
    }

    /// <summary>Returns B and grad B with respect to the stack's chosen parameters.</summary>
    private static (double Value, Tensor Gradient) Objective(LinearStack stack, Tensor validationInputs, int[] groups, int groupCount)
    {
        using var scope = NewDisposeScope();
        var objective = BiasObjectives.SmoothDemographicParityGap(stack.Logits(stack.Prefix(validationInputs)), groups, groupCount);
        var gradient = LinearStack.Flatten(autograd.grad([objective], stack.Parameters)).detach();
        return (objective.item<double>(), gradient.MoveToOuterDisposeScope());
    }

    private static double MeasureObjective(TrainedModel model, IReadOnlyList<int> layers, Tensor validationInputs, int[] groups, int groupCount)
    {
        using var stack = new LinearStack(model.Network, layers);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return BiasObjectives.SmoothDemographicParityGap(stack.Logits(stack.Prefix(validationInputs)), groups, groupCount).item<double>();
    }

    /// <summary>Adds a flat float64 step to the chosen layers of <paramref name="model"/>, in float32.</summary>
    private static void ApplyStep(TrainedModel model, LinearStack stack, Tensor step)
    {
        using var noGrad = no_grad();
        var parts = stack.Unflatten(step);
        int part = 0;
        foreach (int layer in stack.Chosen)
        {
            var linear = model.Network.Layers[layer];
            linear.weight!.add_(parts[part++].to(float32));
            linear.bias!.add_(parts[part++].to(float32));
        }
    }

    /// <summary>The classic one-step update theta + (1/n) (H + lambda I)^-1 sum over R of grad L(z).</summary>
    private static int ClassicNewtonStep(
        TrainedModel updated,
        InfluenceProblem problem,
        Tensor trainInputs,
        Tensor trainLabels,
        int[] removed,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var positions = tensor(removed.Select(i => (long)i).ToArray());
        var gradientSum = problem.SumOfGradients(trainInputs.index_select(0, positions), trainLabels.index_select(0, positions), cancellationToken);
        var step = problem.Solve(gradientSum, cancellationToken).Solution / (double)problem.TrainCount;
        ApplyStep(updated, problem.Stack, step);
        return 1;
    }

    /// <summary>
    /// Damped Newton iterations on the mean loss over the retained samples plus lambda/2 ||theta - theta0||^2,
    /// from theta0; returns the steps taken.
    /// </summary>
    private static int NewtonOnRetained(
        TrainedModel updated,
        IReadOnlyList<int> layers,
        DebiasOptions options,
        Tensor trainInputs,
        Tensor trainLabels,
        int[] removed,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var keep = RetainedPositions(trainInputs.shape[0], removed);
        var inputs = trainInputs.index_select(0, keep);
        var labels = trainLabels.index_select(0, keep);
        using var anchor = new LinearStack(updated.Network, layers);
        var theta0 = anchor.FlatParameters();

        for (int step = 1; step <= options.NewtonSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            using var stack = new LinearStack(updated.Network, layers);
            using var problem = new InfluenceProblem(stack, inputs, labels, (options.Damping ?? 1e-3));
            var theta = stack.FlatParameters();
            var gradient = problem.Gradient + (options.Damping ?? 1e-3) * (theta - theta0);
            var newtonStep = problem.Solve(gradient, cancellationToken).Solution.neg();
            ApplyStep(updated, stack, newtonStep);

            // Stop once the step is negligible next to the parameters: the iteration has converged.
            if (newtonStep.norm().item<double>() <= 1e-8 * (1 + theta.norm().item<double>()))
                return step;
        }

        return options.NewtonSteps;
    }

    private static Tensor RetainedPositions(long count, int[] removed)
    {
        var isRemoved = new bool[count];
        foreach (int position in removed)
            isRemoved[position] = true;
        return tensor(Enumerable.Range(0, (int)count).Where(i => !isRemoved[i]).Select(i => (long)i).ToArray());
    }

    private static (FairnessReport Report, double Seconds) Retrain(
        TrainedModel model,
        PreparedDataset data,
        Tensor trainInputs,
        Tensor trainLabels,
        int[] removed,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var keep = RetainedPositions(trainInputs.shape[0], removed);
        var inputs = trainInputs.index_select(0, keep);
        var labels = trainLabels.index_select(0, keep);

        // Warm up the training code paths first, so that one-time JIT and allocator costs do not count
        // against the retrain.
        long warmUpRows = Math.Min(1024, inputs.shape[0]);
        using (ModelTrainer.TrainEncoded(data, model.Spec.Settings with { Epochs = 1 }, model.Encoder,
            inputs.narrow(0, 0, warmUpRows), labels.narrow(0, 0, warmUpRows), null, cancellationToken))
        {
        }

        // No per-epoch progress here: its validation pass would add to the time being compared.
        progress?.Report(new ProgressUpdate("retraining", 0.6, $"Retraining from scratch without the {removed.Length} removed samples"));
        var watch = Stopwatch.StartNew();
        using var retrained = ModelTrainer.TrainEncoded(data, model.Spec.Settings, model.Encoder, inputs, labels, null, cancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;
        progress?.Report(new ProgressUpdate("retraining", 0.97, $"Retrained without the removed samples in {seconds:F2} s"));
        return (FairnessEvaluator.Evaluate(retrained, data, "test"), seconds);
    }

    private static IReadOnlyDictionary<string, double> SelectionRates(FairnessReport report) =>
        report.Groups.Where(g => g.SelectionRate is not null).ToDictionary(g => g.Group, g => g.SelectionRate!.Value);
}
