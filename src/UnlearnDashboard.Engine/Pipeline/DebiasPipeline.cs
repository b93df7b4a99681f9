using System.Diagnostics;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Numerics;
using UnlearnDashboard.Engine.Unlearning;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>
/// Bias removal on the chosen layers by one of the <see cref="DebiasMethod"/>s, with fairness before and after
/// on the test split and, on request, a retrain without the removed samples.
/// </summary>
/// <remarks>
/// Bias objective B is measured on the validation split, or on the training and validation splits when a group has too few validation rows (<see cref="ObjectiveRows"/>), or on a counterfactual set. For a training sample z,
/// I(z) = -grad B^T (H + lambda I)^-1 grad L(z), with H the curvature of the mean training loss over the chosen
/// layers; I(z) > 0 means that up-weighting z raises B, so the largest scores are the most harmful. Removing
/// the set R by one Newton step moves the chosen parameters by (1/n) (H + lambda I)^-1 sum over R of grad L(z),
/// which changes B by about -(1/n) sum over R of I(z). Replacing each z in R by its counterfactual z_cf moves
/// them by (1/n) (H + lambda I)^-1 sum over R of [grad L(z) - grad L(z_cf)] and changes B by about
/// -(1/n) sum over R of [I(z) - I(z_cf)], so that method ranks by I(z) - I(z_cf).
/// </remarks>
public static partial class DebiasPipeline
{
    /// <summary>Ranks, updates and evaluates; <paramref name="seedBandCache"/> defaults to <see cref="SeedBandCache.Shared"/>.</summary>
    public static DebiasOutcome Run(
        TrainedModel model,
        PreparedDataset data,
        DebiasOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken,
        SeedBandCache? seedBandCache = null)
    {
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var evaluation = Stopwatch.StartNew();
        var spec = NeedsSpec(options.Method) ? options.CounterfactualSpec ?? CounterfactualDefaults.For(data) : null;
        spec?.Validate(data.Train);

        progress?.Report(new ProgressUpdate("evaluating", 0.02, "Evaluating the model before unlearning"));
        var before = FairnessEvaluator.Evaluate(model, data, "test");
        double evaluationSeconds = evaluation.Elapsed.TotalSeconds;

        // Encoding is data preparation shared by every method, so neither the ranking nor the retrain counts it.
        using var trainInputs = model.EncodeInputs(data.Train);
        using var trainLabels = tensor(data.Train.Labels);
        using var validationInputs = model.EncodeInputs(data.Validation);
        using var counterfactualTrainInputs = spec is null ? null : model.EncodeInputs(CounterfactualGenerator.Apply(spec, data.Train));
        var objectiveRows = ChooseObjectiveRows(data, options.Objective);
        using var pooledInputs = objectiveRows == ObjectiveRows.TrainingAndValidation ? cat([trainInputs, validationInputs], 0) : null;
        using var objective = CreateObjective(model, data, options, objectiveRows, pooledInputs ?? validationInputs);

        var ranking = Stopwatch.StartNew();
        var (layers, attributions) = ChooseLayers(model, options, objective, trainInputs, GroupIndex(data.Train, data.Groups), cancellationToken);
        var layerNames = layers.Select(i => model.Network.LayerNames[i]).ToList();
        double attributionSeconds = ranking.Elapsed.TotalSeconds;

        var context = new RunContext(model, data, options, layers, trainInputs, trainLabels, validationInputs, counterfactualTrainInputs, objective, progress);
        bool ranks = DebiasMethods.RanksSamples(options.Method);

        // Reported before the warm-up, so that the server handles the report while nothing is timed.
        if (ranks)
        {
            progress?.Report(new ProgressUpdate("ranking", 0.05, $"Ranking {data.Train.Count} training samples on {string.Join(", ", layerNames)}"));
            WarmUp(context);
        }

        ranking.Restart();
        using var rank = ranks ? Rank(context, cancellationToken) : null;
        double rankingSeconds = ranking.Elapsed.TotalSeconds + attributionSeconds;
        using var originalStack = new LinearStack(model.Network, layers);
        double objectiveBefore = rank?.ObjectiveBefore ?? objective.Value(originalStack);

        progress?.Report(new ProgressUpdate("unlearning", 0.45,
            $"Updating {string.Join(", ", layerNames)} by {DebiasMethods.Name(options.Method)}",
            new LiveMetrics { Step = 1, BiasObjective = objectiveBefore }));

        var unlearning = Stopwatch.StartNew();
        var updated = model.Clone();
        try
        {
            var update = Update(context, rank, rank?.Harmful ?? [], updated, cancellationToken);
            var budget = options.MaxAccuracyLoss is double maxLoss
                ? AccuracyBudget.Apply(model, updated, data, maxLoss, cancellationToken)
                : null;
            double unlearningSeconds = unlearning.Elapsed.TotalSeconds;

            evaluation.Restart();
            progress?.Report(new ProgressUpdate("evaluating", 0.5, "Evaluating the updated model"));
            var after = FairnessEvaluator.Evaluate(updated, data, "test");
            double objectiveAfter = MeasureObjective(updated, layers, objective);
            evaluationSeconds += evaluation.Elapsed.TotalSeconds;
            progress?.Report(new ProgressUpdate("evaluating", 0.55, "Evaluated the updated model",
                new LiveMetrics
                {
                    Step = update.Steps + 1,
                    BiasObjective = objectiveAfter,
                    Accuracy = after.Accuracy,
                    DemographicParityDifference = after.DemographicParityDifference,
                    SelectionRates = SelectionRates(after),
                }));

            int[] removed = rank?.Harmful ?? [];
            long[] removedRowIds = removed.Select(i => data.Train.RowIds[i]).ToArray();
            var (retrainedModel, retrain, retrainSeconds) = options.CompareRetrain && removed.Length > 0
                ? Retrain(model, data, trainInputs, trainLabels, removed, progress, cancellationToken)
                : (null, null, 0.0);
            using var ownedRetrained = retrainedModel;
            var layerChanges = LayerChanges.Measure(model, updated);

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
                    originalStack.ParameterCount,
                    rank?.Damping ?? 0,
                    rank?.Solved.Iterations ?? 0,
                    rank?.Solved.RelativeResidual ?? 0,
                    objectiveBefore,
                    objectiveBefore + update.PredictedChange * (budget?.StepScale ?? 1),
                    objectiveAfter,
                    update.Steps)
                {
                    DampingChosenByRule = rank?.DampingChosenByRule ?? false,
                    Curvature = rank?.Problem.Curvature,
                    Solver = rank is null ? null : options.Solver,
                    Objective = options.Objective,
                    ObjectiveRows = objectiveRows,
                    ObjectiveRowCount = objectiveRows == ObjectiveRows.TrainingAndValidation ? data.Train.Count + data.Validation.Count : data.Validation.Count,
                },
                Method = options.Method,
                CounterfactualSpec = spec,
                Explanation = rank is null ? new RankingExplanation([], []) : Explain(data.Train, rank.Scores, rank.Harmful, options.ExplainCount),
                LayerChanges = layerChanges,
                LayerAttributions = attributions,
                ChangedParameterFraction = update.ChangedParameterFraction,
                AccuracyBudget = budget,
                Warnings =
                [
                    .. Warn(before, after, objectiveBefore, objectiveAfter, options.Method),
                    .. WarnLargeChange(layerChanges, options),
                    .. WarnUnreviewedMaps(options, spec),
                ],
                Evidence = options.Evidence is null ? null : EvidenceRunner.Compute(
                    new EvidenceInput
                    {
                        BaseModel = model,
                        UpdatedModel = updated,
                        Data = data,
                        RemovedPositions = removed,
                        Retrained = retrainedModel,
                        RetrainSeconds = retrainSeconds,
                        BaseReport = before,
                        UpdatedReport = after,
                        RetrainedReport = retrain,

                        // The random control removes random sets by the same update, without progress reports, and keeps
                        // the same share of it as the accuracy budget kept of the run's own update.
                        Update = rank is null
                            ? null
                            : EvidenceRunner.InPlace(model, (copy, positions, token) =>
                            {
                                Update(context with { Progress = null }, rank, positions, copy, token);
                                if (budget is { StepScale: < 1 } kept)
                                    AccuracyBudget.Scale(model, copy, kept.StepScale);
                            }),
                    },
                    options.Evidence,
                    progress,
                    cancellationToken,
                    seedBandCache),
            };
        }
        catch
        {
            updated.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lists what a reviewer must not miss in the result: a rise of the bias objective, the parity gap or the equalized odds gap, and a model
    /// that approves nobody or everybody, whose parity difference of 0 does not mean it is fair.
    /// </summary>
    internal static IReadOnlyList<string> Warn(
        FairnessReport before,
        FairnessReport after,
        double objectiveBefore,
        double objectiveAfter,
        DebiasMethod method = DebiasMethod.CounterfactualReplacement)
    {
        var warnings = new List<string>();
        if (Rose(objectiveBefore, objectiveAfter))
        {
            var (from, to) = ShowRise(objectiveBefore, objectiveAfter);
            string advice = DebiasMethods.RanksSamples(method)
                ? "Try a smaller remove fraction, a larger damping or another method."
                : "Try fewer steps, a smaller learning rate or another method.";
            warnings.Add($"The bias objective on its rows rose from {from} to {to}: the update made the model more biased. {advice}");
        }

        if (Rose(before.DemographicParityDifference, after.DemographicParityDifference))
        {
            var (from, to) = ShowRise(before.DemographicParityDifference!.Value, after.DemographicParityDifference!.Value);
            warnings.Add($"The demographic parity difference on the test split rose from {from} to {to}.");
        }

        if (Rose(before.EqualizedOddsDifference, after.EqualizedOddsDifference))
        {
            var (from, to) = ShowRise(before.EqualizedOddsDifference!.Value, after.EqualizedOddsDifference!.Value);
            warnings.Add($"The equalized odds difference on the test split rose from {from} to {to}.");
        }

        long count = after.Groups.Sum(g => g.Count);
        long approved = after.Groups.Sum(g => g.TruePositives + g.FalsePositives);
        if (count > 0 && (approved == 0 || approved == count))
        {
            string who = approved == 0 ? "nobody" : "everybody";
            warnings.Add($"The updated model approves {who} on the test split, so its demographic parity difference of 0 does not mean it is fair.");
        }

        return warnings;
    }

    /// <summary>
    /// Relative L2 change of a layer above which the result warns: a step a hundred times the layer's own norm follows
    /// directions the training loss barely curves in, which a tiny damping or a large learning rate lets through.
    /// </summary>
    internal const double LargeRelativeChange = 100;

    /// <summary>Warns for each layer that the update changed by more than <see cref="LargeRelativeChange"/> times its norm.</summary>
    internal static IEnumerable<string> WarnLargeChange(IReadOnlyList<LayerChange> changes, DebiasOptions options)
    {
        string advice = DebiasMethods.RanksSamples(options.Method)
            ? options.Damping is double damping
                ? FormattableString.Invariant($"The requested damping ({damping:G3}) sizes the Newton step; leave damping unset so that the damping rule chooses it, or raise it.")
                : "Raise the damping, or use another method."
            : "Lower the learning rate or the steps.";
        foreach (var change in changes.Where(c => c.RelativeChange > LargeRelativeChange))
        {
            yield return FormattableString.Invariant(
                $"The update changed {change.Layer} by {change.RelativeChange:F0} times its own norm (relative L2), so the model's outputs may rest on directions the training data barely determines. {advice}");
        }
    }

    /// <summary>
    /// Warns when the counterfactuals came from the dataset's default value maps, because no approved set gave the maps
    /// and so nobody reviewed them.
    /// </summary>
    private static IEnumerable<string> WarnUnreviewedMaps(DebiasOptions options, CounterfactualSpec? spec)
    {
        if (spec is null || options.CounterfactualSpec is not null)
            yield break;

        string maps = string.Join("; ", spec.AllMaps.Select(map =>
            $"{map.Column}: {string.Join(", ", map.Values.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"))}"));
        yield return $"The counterfactuals came from the dataset's default value maps ({maps}), which nobody reviewed, because the "
            + "dataset has no approved counterfactual set. Generate a set and have another person approve it, so that the next run "
            + "uses reviewed maps.";
    }

    /// <summary>
    /// Whether a value rose by more than <see cref="RiseTolerance"/>; a smaller change is the rounding of sums over
    /// different rows (0.04999999999999993 to 0.04999999999999999 on German Credit), not a change of the model.
    /// </summary>
    private static bool Rose(double? before, double? after) => after - before > RiseTolerance;

    private const double RiseTolerance = 1e-10;

    /// <summary>
    /// Formats both values with 4 decimals, or with the fewest more (up to 10) at which they differ, so that a warning
    /// does not read "rose from 0.0934 to 0.0934".
    /// </summary>
    private static (string Before, string After) ShowRise(double before, double after)
    {
        for (int decimals = 4; decimals < 10; decimals++)
        {
            string format = "F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string from = before.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
            string to = after.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
            if (from != to)
                return (from, to);
        }

        return (before.ToString("F10", System.Globalization.CultureInfo.InvariantCulture), after.ToString("F10", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool NeedsSpec(DebiasMethod method) =>
        method is DebiasMethod.CounterfactualReplacement or DebiasMethod.SaliencyMasked;

    /// <summary>What an update did: the steps taken, the predicted change of B, and the share of parameters changed.</summary>
    private sealed record UpdateResult(int Steps, double PredictedChange, double? ChangedParameterFraction = null);

    /// <summary>Changes the chosen layers of <paramref name="updated"/> by the requested method.</summary>
    /// <remarks>
    /// <paramref name="harmfulPositions"/> are usually the ranking's harmful rows. Other sets get the same update,
    /// as the evidence's random control needs (wrapped with <c>EvidenceRunner.InPlace</c>, without progress).
    /// </remarks>
    private static UpdateResult Update(
        RunContext context,
        RankingResult? ranking,
        int[] harmfulPositions,
        TrainedModel updated,
        CancellationToken cancellationToken)
    {
        var options = context.Options;
        using var scope = NewDisposeScope();
        if (ranking is null)
            return FineTune(context, updated, cancellationToken);

        var rank = ranking;
        var harmful = tensor(harmfulPositions.Select(i => (long)i).ToArray());
        var harmfulInputs = context.TrainInputs.index_select(0, harmful);
        var harmfulLabels = context.TrainLabels.index_select(0, harmful);
        var counterfactualInputs = context.CounterfactualTrainInputs?.index_select(0, harmful);

        switch (options.Method)
        {
            case DebiasMethod.InfluenceNewton when options.NewtonSteps > 1:
            {
                var keep = RetainedPositions(context.TrainInputs.shape[0], harmfulPositions);
                int steps = NewtonUpdates.NewtonOnRetained(
                    updated, context.Layers, options.NewtonSteps, rank.Damping, rank.Problem.Curvature,
                    context.TrainInputs.index_select(0, keep), context.TrainLabels.index_select(0, keep), cancellationToken);
                return new UpdateResult(steps, rank.RemovalChange);
            }

            case DebiasMethod.InfluenceNewton:
            {
                var step = NewtonUpdates.Step(rank.Problem, harmfulInputs, harmfulLabels, null, 1, 0, null, cancellationToken);
                NewtonUpdates.ApplyStep(updated, rank.Problem, step.Solution, context.TrainInputs);
                return new UpdateResult(1, rank.RemovalChange);
            }

            case DebiasMethod.CounterfactualReplacement:
            {
                var step = NewtonUpdates.Step(rank.Problem, harmfulInputs, harmfulLabels, counterfactualInputs,
                    options.RemoveWeight, options.AddWeight, null, cancellationToken);
                NewtonUpdates.ApplyStep(updated, rank.Problem, step.Solution, context.TrainInputs);
                return new UpdateResult(1, rank.ObjectiveGradient.dot(step.Solution).item<double>());
            }

            case DebiasMethod.SaliencyMasked:
            {
                var mask = SaliencyMask(rank, options);
                var step = NewtonUpdates.Step(rank.Problem, harmfulInputs, harmfulLabels, counterfactualInputs,
                    options.RemoveWeight, options.AddWeight, mask, cancellationToken);
                NewtonUpdates.ApplyStep(updated, rank.Problem, step.Solution, context.TrainInputs);
                double changed = step.Solution.ne(Scalars.Zero).sum().item<long>() / (double)rank.Stack.ParameterCount;
                return new UpdateResult(1, rank.ObjectiveGradient.dot(step.Solution).item<double>(), changed);
            }

            case DebiasMethod.GradientAscent:
            {
                var keep = RetainedPositions(context.TrainInputs.shape[0], harmfulPositions);
                GradientAscent.Run(updated, context.Layers,
                    context.TrainInputs.index_select(0, keep), context.TrainLabels.index_select(0, keep),
                    harmfulInputs, harmfulLabels, options, context.Monitor(updated), cancellationToken);
                return new UpdateResult(options.Steps, rank.RemovalChange);
            }

            default:
                throw EngineException.Invalid("method", $"Method {DebiasMethods.Name(options.Method)} does not rank samples.", DebiasMethods.Name(options.Method));
        }
    }

    /// <summary>
    /// Fine-tunes on the approved counterfactual set: with the task loss on training rows, or, in the data-free
    /// mode, with distillation towards the original model instead, so no training row is read.
    /// </summary>
    private static UpdateResult FineTune(RunContext context, TrainedModel updated, CancellationToken cancellationToken)
    {
        var options = context.Options;
        using var scope = NewDisposeScope();
        var set = options.CounterfactualSet!;
        var originalInputs = context.Model.EncodeInputs(set.Original);
        var counterfactualInputs = context.Model.EncodeInputs(set.Counterfactual);
        bool dataFree = options.Method == DebiasMethod.DataFree;
        var teacher = dataFree ? CounterfactualFineTuning.TeacherProbabilities(context.Model, originalInputs) : null;
        CounterfactualFineTuning.Run(updated, context.Layers,
            dataFree ? null : context.TrainInputs, dataFree ? null : context.TrainLabels,
            originalInputs, counterfactualInputs, teacher, options, context.Monitor(updated), cancellationToken);
        return new UpdateResult(options.Steps, 0);
    }

    /// <summary>
    /// Returns a 0/1 mask over the chosen parameters that keeps the top <see cref="DebiasOptions.SaliencyFraction"/>
    /// by saliency, |grad B| or |theta grad B|; ties at the threshold are broken by position.
    /// </summary>
    private static Tensor SaliencyMask(RankingResult rank, DebiasOptions options)
    {
        using var scope = NewDisposeScope();
        var saliency = options.Saliency == SaliencyKind.Gradient
            ? rank.ObjectiveGradient.abs()
            : (rank.ObjectiveGradient * rank.Stack.FlatParameters()).abs();
        long keep = Math.Max(1, (long)Math.Round(options.SaliencyFraction * saliency.shape[0]));
        var (_, indices) = saliency.topk((int)keep);
        var mask = zeros_like(saliency);
        mask.index_fill_(0, indices, Scalars.One);
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>The fixed inputs of one run, shared by the ranking and the updates.</summary>
    private sealed record RunContext(
        TrainedModel Model,
        PreparedDataset Data,
        DebiasOptions Options,
        IReadOnlyList<int> Layers,
        Tensor TrainInputs,
        Tensor TrainLabels,
        Tensor ValidationInputs,
        Tensor? CounterfactualTrainInputs,
        ObjectiveContext Objective,
        IProgress<ProgressUpdate>? Progress)
    {
        public StepMetrics Monitor(TrainedModel updated) => new(updated, Data.Validation, Data, ValidationInputs, Progress);
    }

    /// <summary>Returns the positions of the <paramref name="count"/> highest scores, ties broken by row id; NaN ranks last.</summary>
    internal static int[] MostHarmful(double[] scores, long[] rowIds, int count)
    {
        if (count <= 0)
            return [];

        // Keys order the scores from the highest, with NaN and negative infinity last. Only rows whose key is at most
        // the count-th smallest key can be chosen, so only those are sorted, by the full comparison.
        double[] keys = new double[scores.Length];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = double.IsNaN(scores[i]) ? double.PositiveInfinity : -scores[i];

        double threshold;
        using (var keyTensor = tensor(keys))
        {
            var (values, indices) = keyTensor.kthvalue(count, 0, false);
            using (values)
            using (indices)
                threshold = values.item<double>();
        }

        var candidates = new List<int>(count);
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] <= threshold)
                candidates.Add(i);
        }

        candidates.Sort((a, b) =>
        {
            int byScore = scores[b].CompareTo(scores[a]);
            return byScore != 0 ? byScore : rowIds[a].CompareTo(rowIds[b]);
        });
        return candidates.Take(count).ToArray();
    }

    /// <summary>Returns each row's position in <paramref name="groups"/>.</summary>
    internal static int[] GroupIndex(TabularSplit split, IReadOnlyList<string> groups)
    {
        var positions = groups.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => p.i, StringComparer.Ordinal);
        return split.Groups.Select(g => positions[g]).ToArray();
    }

    private static double MeasureObjective(TrainedModel model, IReadOnlyList<int> layers, ObjectiveContext objective)
    {
        using var stack = new LinearStack(model.Network, layers);
        return objective.Value(stack);
    }

    private static Tensor RetainedPositions(long count, int[] removed)
    {
        var isRemoved = new bool[count];
        foreach (int position in removed)
            isRemoved[position] = true;
        return tensor(Enumerable.Range(0, (int)count).Where(i => !isRemoved[i]).Select(i => (long)i).ToArray());
    }

    /// <summary>
    /// Trains the base model's settings on the training split without the removed rows and returns the model, which
    /// the caller disposes, with its test report and training seconds.
    /// </summary>
    private static (TrainedModel Model, FairnessReport Report, double Seconds) Retrain(
        TrainedModel model,
        PreparedDataset data,
        Tensor trainInputs,
        Tensor trainLabels,
        int[] removed,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        // No dispose scope here: the returned model's parameters must outlive this method.
        using var keep = RetainedPositions(trainInputs.shape[0], removed);
        using var inputs = trainInputs.index_select(0, keep);
        using var labels = trainLabels.index_select(0, keep);

        // Warm up the training code paths first, so that one-time JIT and allocator costs do not count
        // against the retrain.
        long warmUpRows = Math.Min(1024, inputs.shape[0]);
        using (var warmUpInputs = inputs.narrow(0, 0, warmUpRows))
        using (var warmUpLabels = labels.narrow(0, 0, warmUpRows))
        using (ModelTrainer.TrainEncoded(data, model.Spec.Settings with { Epochs = 1 }, model.Encoder, warmUpInputs, warmUpLabels, null, cancellationToken))
        {
        }

        // No per-epoch progress here: its validation pass would add to the time being compared.
        progress?.Report(new ProgressUpdate("retraining", 0.6, $"Retraining from scratch without the {removed.Length} removed samples"));
        var watch = Stopwatch.StartNew();
        var retrained = ModelTrainer.TrainEncoded(data, model.Spec.Settings, model.Encoder, inputs, labels, null, cancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;
        try
        {
            progress?.Report(new ProgressUpdate("retraining", 0.97, $"Retrained without the removed samples in {seconds:F2} s"));
            return (retrained, FairnessEvaluator.Evaluate(retrained, data, "test"), seconds);
        }
        catch
        {
            retrained.Dispose();
            throw;
        }
    }

    private static IReadOnlyDictionary<string, double> SelectionRates(FairnessReport report) =>
        report.Groups.Where(g => g.SelectionRate is not null).ToDictionary(g => g.Group, g => g.SelectionRate!.Value);
}
