using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Pipeline;

public static partial class DebiasPipeline
{
    /// <summary>LiSSA settings: rows per mini-batch, repeats, the error the series depth aims at and its cap.</summary>
    /// <remarks>
    /// The series error shrinks like (1 - lambda / scale)^depth (see <see cref="InfluenceProblem.LissaDepth"/>),
    /// so the depth is chosen for <see cref="LissaTolerance"/> from the lambda and the scale. A small lambda needs
    /// a deep series: on Adult's fc3 the bound needs about 10,000 terms at lambda 1e-3 and 100,000 at 1e-4. So the
    /// damping rule for LiSSA takes the smallest lambda of the grid whose depth fits under <see cref="LissaMaxDepth"/>.
    /// </remarks>
    private const int LissaBatchSize = 1024;
    private const int LissaRepeats = 2;
    internal const double LissaTolerance = 1e-3;
    internal const int LissaMaxDepth = 20_000;

    /// <summary>The influence ranking of one run; owns the stack, the problem and the solved vector.</summary>
    private sealed class RankingResult : IDisposable
    {
        public required LinearStack Stack { get; init; }

        public required InfluenceProblem Problem { get; init; }

        public required SolveResult Solved { get; init; }

        public required double Damping { get; init; }

        public required bool DampingChosenByRule { get; init; }

        public required double ObjectiveBefore { get; init; }

        public required Tensor ObjectiveGradient { get; init; }

        /// <summary>Ranking score of every training row: I(z), or I(z) - I(z_cf) for counterfactual methods.</summary>
        public required double[] Scores { get; init; }

        /// <summary>Positions of the harmful rows in the training split, most harmful first.</summary>
        public required int[] Harmful { get; init; }

        /// <summary>Predicted change of B by removing the harmful rows, -(1/n) sum of I(z).</summary>
        public required double RemovalChange { get; init; }

        public void Dispose()
        {
            ObjectiveGradient.Dispose();
            Solved.Solution.Dispose();
            Problem.Dispose();
            Stack.Dispose();
        }
    }

    private static RankingResult Rank(RunContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var stack = new LinearStack(context.Model.Network, context.Layers);
        InfluenceProblem? problem = null;
        Tensor? gradient = null;
        SolveResult? solved = null;
        try
        {
            problem = new InfluenceProblem(stack, context.TrainInputs, context.TrainLabels, options.Damping ?? DebiasOptions.DampingGrid[0], curvature: options.Curvature);
            (double objectiveBefore, gradient) = context.Objective.ValueAndGradient(stack);
            solved = SolveObjective(problem, gradient, options, cancellationToken);

            double[] influence = problem.TrainScores(solved.Solution, cancellationToken);
            double[] scores = influence;
            if (context.CounterfactualTrainInputs is not null)
            {
                double[] counterfactual = problem.Scores(context.CounterfactualTrainInputs, context.TrainLabels, solved.Solution, cancellationToken);
                scores = influence.Zip(counterfactual, (z, cf) => options.RemoveWeight * z - options.AddWeight * cf).ToArray();
            }

            int n = (int)context.TrainInputs.shape[0];
            int harmfulCount = Math.Max(1, (int)Math.Round(options.RemoveFraction * n));
            int[] harmful = MostHarmful(scores, context.Data.Train.RowIds, harmfulCount);
            return new RankingResult
            {
                Stack = stack,
                Problem = problem,
                Solved = solved,
                Damping = problem.Damping,
                DampingChosenByRule = options.Damping is null,
                ObjectiveBefore = objectiveBefore,
                ObjectiveGradient = gradient,
                Scores = scores,
                Harmful = harmful,
                RemovalChange = -harmful.Sum(i => influence[i]) / n,
            };
        }
        catch
        {
            solved?.Solution.Dispose();
            gradient?.Dispose();
            problem?.Dispose();
            stack.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Solves (H + lambda I) x = grad B. Without a requested damping it applies the damping rule: the smallest
    /// lambda of <see cref="DebiasOptions.DampingGrid"/> at which conjugate gradients reach a relative residual of
    /// <see cref="DebiasOptions.DampingRuleTolerance"/> within the iteration cap, counting a direction without
    /// positive curvature as a failure. LiSSA has its own rule (see <see cref="SolveLissaByRule"/>). The problem
    /// keeps the lambda chosen.
    /// </summary>
    private static SolveResult SolveObjective(InfluenceProblem problem, Tensor gradient, DebiasOptions options, CancellationToken cancellationToken)
    {
        if (options.Damping is double requested)
        {
            problem.Damping = requested;
            if (options.Solver == InfluenceSolverKind.Lissa)
                return SolveLissa(problem, gradient, options.Seed, problem.LissaScale(options.Seed, cancellationToken), cancellationToken);

            var solved = problem.Solve(gradient, cancellationToken);
            if (solved.RelativeResidual <= DebiasOptions.DampingRuleTolerance)
                return solved;

            // A solve stopped by the iteration cap is not (H + lambda I)^-1 grad B, and a step built on it can change the
            // model arbitrarily. So the run fails, as the damping rule fails such a lambda.
            solved.Solution.Dispose();
            throw EngineException.Precondition("damping",
                FormattableString.Invariant($"At damping {requested:G3} conjugate gradients stopped at a relative residual of {solved.RelativeResidual:G3} after {solved.Iterations} iterations, above {DebiasOptions.DampingRuleTolerance:G3}; ")
                + "set a larger damping, or leave it unset so that the damping rule chooses one.",
                requested.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (options.Solver == InfluenceSolverKind.Lissa)
            return SolveLissaByRule(problem, gradient, options.Seed, cancellationToken);

        // The rule needs the residual tolerance only, so conjugate gradients stop there. The output layer's
        // explicit curvature makes an iteration nearly free, so that solve still runs to the default tolerance.
        double tolerance = problem.HasExplicitCurvature ? InfluenceProblem.DefaultTolerance : DebiasOptions.DampingRuleTolerance;
        var failures = new List<string>();
        foreach (double lambda in DebiasOptions.DampingGrid)
        {
            problem.Damping = lambda;
            SolveResult result;
            try
            {
                result = problem.Solve(gradient, cancellationToken, tolerance);
            }
            catch (EngineException error) when (error.Field == "damping")
            {
                failures.Add($"{lambda:G3}: no positive curvature");
                continue;
            }

            if (result.RelativeResidual <= DebiasOptions.DampingRuleTolerance)
                return result;

            failures.Add($"{lambda:G3}: residual {result.RelativeResidual:G3} after {result.Iterations} iterations");
            result.Solution.Dispose();
        }

        throw EngineException.Precondition("damping",
            $"No damping in the grid lets conjugate gradients converge ({string.Join("; ", failures)}); set a larger damping.");
    }

    /// <summary>
    /// The damping rule for LiSSA: the smallest lambda of <see cref="DebiasOptions.DampingGrid"/> whose series depth
    /// for <see cref="LissaTolerance"/> is at most <see cref="LissaMaxDepth"/>. The problem keeps the lambda chosen.
    /// </summary>
    private static SolveResult SolveLissaByRule(InfluenceProblem problem, Tensor gradient, int seed, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (double lambda in DebiasOptions.DampingGrid)
        {
            problem.Damping = lambda;
            double scale = problem.LissaScale(seed, cancellationToken);
            int depth = InfluenceProblem.LissaDepth(lambda, scale, LissaTolerance);
            if (depth <= LissaMaxDepth)
                return problem.SolveLissa(gradient, LissaBatchSize, depth, LissaRepeats, seed, scale, cancellationToken);

            failures.Add(FormattableString.Invariant($"{lambda:G3}: depth {depth} needed"));
        }

        throw EngineException.Precondition("damping",
            $"No damping in the grid lets LiSSA reach an error bound of {LissaTolerance:G3} within {LissaMaxDepth} terms ({string.Join("; ", failures)}); set a larger damping or use conjugate gradients.");
    }

    /// <summary>Runs LiSSA at the problem's lambda with the depth of <see cref="LissaTolerance"/>, capped at <see cref="LissaMaxDepth"/>.</summary>
    private static SolveResult SolveLissa(InfluenceProblem problem, Tensor gradient, int seed, double scale, CancellationToken cancellationToken)
    {
        int depth = Math.Min(InfluenceProblem.LissaDepth(problem.Damping, scale, LissaTolerance), LissaMaxDepth);
        return problem.SolveLissa(gradient, LissaBatchSize, depth, LissaRepeats, seed, scale, cancellationToken);
    }

    /// <summary>
    /// Runs the ranking and the update once on the first 256 training rows, so that one-time JIT compilation is not
    /// timed, just as the retrain is timed after a warm-up. Gradient ascent takes 2 steps here instead of its own count.
    /// </summary>
    private static void WarmUp(RunContext context)
    {
        using var scope = NewDisposeScope();
        long rows = Math.Min(256, context.TrainInputs.shape[0]);
        var small = context with
        {
            Options = context.Options with { Steps = Math.Min(context.Options.Steps, 2) },
            TrainInputs = context.TrainInputs.narrow(0, 0, rows),
            TrainLabels = context.TrainLabels.narrow(0, 0, rows),
            CounterfactualTrainInputs = context.CounterfactualTrainInputs?.narrow(0, 0, rows),
            Progress = null,
        };
        try
        {
            using var rank = Rank(small, CancellationToken.None);
            using var copy = context.Model.Clone();
            Update(small, rank, rank.Harmful, copy, CancellationToken.None);
        }
        catch (EngineException)
        {
            // A curvature or step that fails on these few rows does not predict the real run, which reports its own.
        }

        // One pass over every training row sizes the native allocator's pools, which the small run above does not,
        // and which the retrain finds ready because it runs after the ranking.
        using var stack = new LinearStack(context.Model.Network, context.Layers);
        stack.Prefix(context.TrainInputs);
    }

    /// <summary>
    /// Returns the rows the bias objective is measured on: the validation split when each group has at least
    /// <see cref="DebiasOptions.ObjectiveMinimumGroupRows"/> rows there, otherwise the training and validation
    /// splits together. Objectives built from true or false positive rates count a group's rows per label they use,
    /// because each rate is measured on that label's rows only.
    /// </summary>
    internal static ObjectiveRows ChooseObjectiveRows(PreparedDataset data, BiasObjectiveKind objective)
    {
        float[] labels = objective switch
        {
            BiasObjectiveKind.EqualizedOdds or BiasObjectiveKind.ParityAndOdds => [0f, 1f],
            BiasObjectiveKind.FalsePositiveRate => [0f],
            _ => [],
        };
        var validation = data.Validation;
        int smallest = labels.Length == 0
            ? data.Groups.Min(group => validation.Groups.Count(g => g == group))
            : data.Groups.Min(group => labels.Min(label =>
                Enumerable.Range(0, validation.Count).Count(i => validation.Groups[i] == group && validation.Labels[i] == label)));
        return smallest >= DebiasOptions.ObjectiveMinimumGroupRows ? ObjectiveRows.Validation : ObjectiveRows.TrainingAndValidation;
    }

    /// <summary>
    /// Creates the bias objective on <paramref name="objectiveInputs"/>, the encoded rows that <paramref name="rows"/>
    /// names, or on the counterfactual set for the counterfactual gap.
    /// </summary>
    private static ObjectiveContext CreateObjective(TrainedModel model, PreparedDataset data, DebiasOptions options, ObjectiveRows rows, Tensor objectiveInputs)
    {
        var set = options.Objective == BiasObjectiveKind.CounterfactualGap ? options.CounterfactualSet : null;
        bool pooled = rows == ObjectiveRows.TrainingAndValidation;
        return new ObjectiveContext(
            options.Objective,
            objectiveInputs,
            pooled ? [.. data.Train.Labels, .. data.Validation.Labels] : data.Validation.Labels,
            pooled ? [.. GroupIndex(data.Train, data.Groups), .. GroupIndex(data.Validation, data.Groups)] : GroupIndex(data.Validation, data.Groups),
            data.Groups,
            set is null ? null : model.EncodeInputs(set.Original),
            set is null ? null : model.EncodeInputs(set.Counterfactual));
    }

    /// <summary>Returns the chosen layer positions: the last layer, the named ones, or the automatic choice with its attributions.</summary>
    private static (IReadOnlyList<int> Layers, IReadOnlyList<LayerAttribution> Attributions) ChooseLayers(
        TrainedModel model,
        DebiasOptions options,
        ObjectiveContext objective,
        Tensor trainInputs,
        int[] trainGroups,
        CancellationToken cancellationToken)
    {
        if (options.Layers.Count == 0)
            return ([model.Network.Layers.Count - 1], []);

        if (options.Layers is [DebiasOptions.AutoLayers])
        {
            var attributions = LayerAttributor.Attribute(model.Network, objective, trainInputs, trainGroups, cancellationToken);
            var chosen = attributions.Select((a, i) => (a, i)).Where(p => p.a.Chosen).Select(p => p.i).ToList();
            return (chosen, attributions);
        }

        return (options.Layers.Select(model.Network.IndexOfLayer).Distinct().Order().ToList(), []);
    }

    /// <summary>Lists the top harmful samples with their raw values, and counts the harmful set by group and label.</summary>
    private static RankingExplanation Explain(TabularSplit train, double[] scores, int[] harmful, int count)
    {
        var top = harmful.Take(count).Select(i => new HarmfulSample(
            train.RowIds[i],
            scores[i],
            train.Groups[i],
            train.Labels[i],
            train.FeatureColumns.Select((column, c) => (column, value: train.FeatureValues[c][i])).ToDictionary(p => p.column, p => p.value)))
            .ToList();

        var harmfulCounts = harmful.CountBy(i => (train.Groups[i], train.Labels[i])).ToDictionary();
        var breakdown = Enumerable.Range(0, train.Count)
            .CountBy(i => (train.Groups[i], train.Labels[i]))
            .OrderBy(p => p.Key.Item1, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Item2)
            .Select(p => new HarmfulCell(p.Key.Item1, p.Key.Item2, harmfulCounts.GetValueOrDefault(p.Key), p.Value))
            .ToList();
        return new RankingExplanation(top, breakdown);
    }
}
