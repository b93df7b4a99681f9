using System.Diagnostics;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Unlearning;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>Settings of an erasure. Every property has a default; <see cref="Validate"/> checks the ranges.</summary>
public sealed record ErasureOptions
{
    /// <summary>Linear layers to update, for example ["fc2", "fc3"]; empty means the last layer, whose exact Hessian makes the step fast.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>Damping lambda, > 0; null chooses the smallest lambda of <see cref="DebiasOptions.DampingGrid"/> at which the solve converges.</summary>
    public double? Damping { get; init; }

    /// <summary>Newton steps, in [1, 50]: 1 is the influence-function removal step, more minimise the retained rows' loss.</summary>
    public int NewtonSteps { get; init; } = 1;

    /// <summary>Retrain without the erased rows, as the reference of the membership-inference check.</summary>
    public bool Retrain { get; init; } = true;

    /// <summary>Seed of the non-member sample of the membership-inference check.</summary>
    public int Seed { get; init; }

    /// <summary>Largest |AUC of the erased model - reference AUC| that passes the check.</summary>
    public double Tolerance { get; init; } = 0.05;

    public void Validate()
    {
        if (Damping is { } damping && !(damping > 0 && damping <= DebiasOptions.MaxDamping))
        {
            throw EngineException.Invalid("damping",
                $"damping {damping:R} is invalid; use a value greater than 0 and at most {DebiasOptions.MaxDamping:R}, or leave it unset for the rule.",
                damping.ToString("R"));
        }
        if (NewtonSteps is < 1 or > 50)
            throw EngineException.Invalid("newton_steps", $"newton_steps {NewtonSteps} is out of range; use 1 to 50.", NewtonSteps.ToString());
    }
}

/// <summary>
/// The erased model, the membership-inference check on the erased rows and the settings that ran. Dispose it to
/// free the model.
/// </summary>
public sealed record ErasureOutcome : IDisposable
{
    public required TrainedModel UpdatedModel { get; init; }

    /// <summary>Fairness of the erased model on the test split without the erased rows.</summary>
    public required FairnessReport After { get; init; }

    /// <summary>Row ids of the erased rows that were in the training split, ascending; only these were learnt from.</summary>
    public required long[] TrainedRowIds { get; init; }

    public required IReadOnlyList<string> Layers { get; init; }

    public required double Damping { get; init; }

    public required bool DampingChosenByRule { get; init; }

    public required int NewtonSteps { get; init; }

    /// <summary>Iterations and relative residual of the first step's conjugate-gradient solve; 0 when nothing was removed.</summary>
    public required int SolverIterations { get; init; }

    public required double SolverResidual { get; init; }

    public required ErasureVerification Verification { get; init; }

    public void Dispose() => UpdatedModel.Dispose();
}

/// <summary>
/// Loss-based membership inference on the erased training rows against matched test rows. The check passes when the
/// erased model's AUC lies within the tolerance of the reference: the retrained model's AUC, or 0.5 (a guess) when
/// no retrain ran. With no trained rows to attack it passes with every AUC unset.
/// </summary>
public sealed record ErasureVerification(
    int MemberCount,
    int NonMemberCount,
    double? BaseAuc,
    double? ErasedAuc,
    double? RetrainedAuc,
    double ReferenceAuc,
    double Tolerance,
    bool Passed,
    string Message,
    double RetrainSeconds);

/// <summary>
/// Removes named training rows' influence from a model by Newton removal over the chosen layers:
/// theta + (1/n) (G + lambda I)^-1 sum over the rows of grad L(z), with G the Gauss-Newton curvature of the mean
/// training loss (the exact Hessian when only the output layer changes), then checks the result by membership
/// inference against a model retrained without the rows.
/// </summary>
public static class ErasurePipeline
{
    public static ErasureOutcome Run(
        TrainedModel model,
        PreparedDataset data,
        IReadOnlyCollection<long> rowIds,
        ErasureOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        options.Validate();
        var erased = rowIds.ToHashSet();
        int[] positions = Enumerable.Range(0, data.Train.Count).Where(i => erased.Contains(data.Train.RowIds[i])).ToArray();
        var layers = options.Layers.Count == 0
            ? [model.Network.Layers.Count - 1]
            : options.Layers.Select(model.Network.IndexOfLayer).Distinct().Order().ToList();
        var layerNames = layers.Select(i => model.Network.LayerNames[i]).ToList();

        progress?.Report(new ProgressUpdate("unlearning", 0.05, positions.Length == 0
            ? "None of the rows is in the training split, so the model keeps its weights"
            : $"Removing {Rows(positions.Length, "training row")} from {string.Join(", ", layerNames)} by Newton removal"));
        using var trainInputs = model.EncodeInputs(data.Train);
        using var trainLabels = tensor(data.Train.Labels);
        var updated = model.Clone();
        try
        {
            var step = positions.Length == 0
                ? new StepSummary(options.Damping ?? 0, false, 0, 0, 0)
                : Remove(updated, layers, positions, trainInputs, trainLabels, options, cancellationToken);

            // Erased test rows leave the dataset with the purge, so neither the report nor the attack uses them, and
            // the report covers the test rows that the purged dataset keeps.
            progress?.Report(new ProgressUpdate("evaluating", 0.3, "Evaluating the erased model"));
            var testRows = data.Test.Without(erased);
            var after = FairnessEvaluator.Evaluate(updated.PredictLogits(testRows), testRows, data);
            var verification = Verify(model, updated, data, testRows, positions, trainInputs, trainLabels, options, progress, cancellationToken);
            return new ErasureOutcome
            {
                UpdatedModel = updated,
                After = after,
                TrainedRowIds = positions.Select(p => data.Train.RowIds[p]).Order().ToArray(),
                Layers = layerNames,
                Damping = step.Damping,
                DampingChosenByRule = step.DampingChosenByRule,
                NewtonSteps = step.Steps,
                SolverIterations = step.Iterations,
                SolverResidual = step.Residual,
                Verification = verification,
            };
        }
        catch
        {
            updated.Dispose();
            throw;
        }
    }

    private sealed record StepSummary(double Damping, bool DampingChosenByRule, int Steps, int Iterations, double Residual);

    private static StepSummary Remove(
        TrainedModel updated,
        IReadOnlyList<int> layers,
        int[] positions,
        Tensor trainInputs,
        Tensor trainLabels,
        ErasureOptions options,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var removed = tensor(positions.Select(p => (long)p).ToArray());
        using var stack = new LinearStack(updated.Network, layers);
        using var problem = new InfluenceProblem(stack, trainInputs, trainLabels, options.Damping ?? DebiasOptions.DampingGrid[0], curvature: CurvatureKind.Auto);
        var solved = Solve(problem, trainInputs.index_select(0, removed), trainLabels.index_select(0, removed), options.Damping, cancellationToken);
        if (options.NewtonSteps == 1)
        {
            NewtonUpdates.ApplyStep(updated, problem, solved.Solution, trainInputs);
            return new StepSummary(problem.Damping, options.Damping is null, 1, solved.Iterations, solved.RelativeResidual);
        }

        // Several steps minimise the retained rows' mean loss from the current weights, so the first solve only
        // chose the damping.
        var retained = tensor(Enumerable.Range(0, (int)trainInputs.shape[0]).Except(positions).Select(p => (long)p).ToArray());
        int steps = NewtonUpdates.NewtonOnRetained(updated, layers, options.NewtonSteps, problem.Damping, problem.Curvature,
            trainInputs.index_select(0, retained), trainLabels.index_select(0, retained), cancellationToken);
        return new StepSummary(problem.Damping, options.Damping is null, steps, solved.Iterations, solved.RelativeResidual);
    }

    /// <summary>
    /// Returns the removal step (1/n) (G + lambda I)^-1 sum of grad L(z). Without a requested damping it takes the
    /// smallest lambda of the grid at which conjugate gradients reach <see cref="DebiasOptions.DampingRuleTolerance"/>.
    /// </summary>
    private static SolveResult Solve(InfluenceProblem problem, Tensor inputs, Tensor labels, double? damping, CancellationToken cancellationToken)
    {
        if (damping is not null)
            return NewtonUpdates.Step(problem, inputs, labels, null, 1, 0, null, cancellationToken);

        var failures = new List<string>();
        foreach (double lambda in DebiasOptions.DampingGrid)
        {
            problem.Damping = lambda;
            SolveResult result;
            try
            {
                result = NewtonUpdates.Step(problem, inputs, labels, null, 1, 0, null, cancellationToken);
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

    private static ErasureVerification Verify(
        TrainedModel baseModel,
        TrainedModel updated,
        PreparedDataset data,
        TabularSplit testRows,
        int[] positions,
        Tensor trainInputs,
        Tensor trainLabels,
        ErasureOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        if (positions.Length == 0)
        {
            return new ErasureVerification(0, 0, null, null, null, 0.5, options.Tolerance, true,
                "None of the rows was in the training split, so the model never learnt from them and there is nothing to attack.", 0);
        }

        TrainedModel? retrained = null;
        double retrainSeconds = 0;
        try
        {
            if (options.Retrain)
            {
                progress?.Report(new ProgressUpdate("retraining", 0.4, $"Retraining from scratch without the erased {Rows(positions.Length, "row")}"));
                using var scope = NewDisposeScope();
                var keep = tensor(Enumerable.Range(0, data.Train.Count).Except(positions).Select(p => (long)p).ToArray());
                var watch = Stopwatch.StartNew();
                retrained = ModelTrainer.TrainEncoded(data, baseModel.Spec.Settings, baseModel.Encoder,
                    trainInputs.index_select(0, keep), trainLabels.index_select(0, keep), null, cancellationToken);
                retrainSeconds = watch.Elapsed.TotalSeconds;
            }

            progress?.Report(new ProgressUpdate("evidence", 0.9, "Attacking the erased rows by membership inference"));
            var members = data.Train.Select(positions);
            var nonMembers = testRows.Select(MembershipInference.MatchNonMembers(members, testRows, options.Seed));
            double? Auc(TrainedModel model) =>
                MembershipInference.AttackAuc(MembershipInference.Losses(model, members), MembershipInference.Losses(model, nonMembers));

            double? baseAuc = Auc(baseModel);
            double? erasedAuc = Auc(updated);
            double? retrainedAuc = retrained is null ? null : Auc(retrained);
            double reference = retrainedAuc ?? 0.5;
            string against = retrainedAuc is null ? "against 0.5, the AUC of a guess" : $"against the retrained model's {reference:F4}";
            bool passed = erasedAuc is { } auc && Math.Abs(auc - reference) <= options.Tolerance;
            string message = erasedAuc is null
                ? "The attack could not be scored: no matching test rows were found."
                : $"Membership-inference AUC on the {Rows(members.Count, "erased row")} against {Rows(nonMembers.Count, "test row")}: {erasedAuc:F4} after erasure " +
                  $"({baseAuc:F4} before), {against}; the difference {Math.Abs(erasedAuc.Value - reference):F4} is " +
                  $"{(passed ? "within" : "above")} the tolerance {options.Tolerance:F2}." + WeakCheckNote(members.Count);
            return new ErasureVerification(members.Count, nonMembers.Count, baseAuc, erasedAuc, retrainedAuc, reference, options.Tolerance, passed, message, retrainSeconds);
        }
        finally
        {
            retrained?.Dispose();
        }
    }

    /// <summary>
    /// Says how little the attack shows with fewer than <see cref="MembershipInference.MinimumMembers"/> erased rows, the
    /// count below which a debias run does not report it at all. An erasure still reports it, because the certificate
    /// needs a verdict.
    /// </summary>
    private static string WeakCheckNote(int members) => members switch
    {
        >= MembershipInference.MinimumMembers => "",
        1 => $" With 1 erased row in the training split, fewer than {MembershipInference.MinimumMembers}, the AUC is that row's rank among "
            + "the test rows' losses, so this check is weak: it shows only that the row's loss does not stand out among them.",
        _ => $" With {members} erased rows in the training split, fewer than {MembershipInference.MinimumMembers}, each of them moves the "
            + $"AUC by up to 1/{members}, so this check is weak: it shows only that the rows' losses do not stand out among the test rows'.",
    };

    /// <summary>Returns "1 row" or "3 rows": the count with the noun, plural unless the count is 1.</summary>
    private static string Rows(int count, string noun) =>
        count == 1 ? $"1 {noun}" : $"{count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {noun}s";
}
