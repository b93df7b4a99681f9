using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps debias requests to engine options and engine outcomes to proto results.</summary>
internal static class DebiasMapper
{
    /// <summary>
    /// Converts a request to options; unset fields take the engine's defaults. Throws INVALID_ARGUMENT naming
    /// the field for an unknown enum value or a seed out of range, and leaves range checks to
    /// <see cref="DebiasOptions.Validate"/>. The counterfactual set, when given, is marked approved, because
    /// only approved sets reach this point.
    /// </summary>
    public static DebiasOptions ToOptions(this Proto.DebiasRequest request, CounterfactualSet? counterfactualSet = null,
        CounterfactualSpec? counterfactualSpec = null)
    {
        var defaults = new DebiasOptions();
        if (request.HasSeed && request.Seed > int.MaxValue)
            throw EngineException.Invalid("seed", $"seed must be at most {int.MaxValue}; got {request.Seed}.", request.Seed.ToString());

        return new DebiasOptions
        {
            Method = request.HasMethod ? ToEngine(request.Method) : defaults.Method,
            RemoveFraction = request.HasRemoveFraction ? request.RemoveFraction : defaults.RemoveFraction,
            Damping = request.HasDamping ? request.Damping : null,
            NewtonSteps = request.HasNewtonSteps ? request.NewtonSteps : defaults.NewtonSteps,
            Layers = request.Layers.ToList(),
            CompareRetrain = request.CompareRetrain,
            Objective = ToEngine(request.Objective, defaults.Objective),
            Solver = ToEngine(request.Solver, defaults.Solver),
            Curvature = ToEngine(request.Curvature, defaults.Curvature),
            Saliency = ToEngine(request.Saliency, defaults.Saliency),
            SaliencyFraction = request.HasSaliencyFraction ? request.SaliencyFraction : defaults.SaliencyFraction,
            Steps = request.HasSteps ? request.Steps : defaults.Steps,
            LearningRate = request.HasLearningRate ? request.LearningRate : defaults.LearningRate,
            BatchSize = request.HasBatchSize ? request.BatchSize : defaults.BatchSize,
            CounterfactualWeight = request.HasCounterfactualWeight ? request.CounterfactualWeight : defaults.CounterfactualWeight,
            DistillationWeight = request.HasDistillationWeight ? request.DistillationWeight : defaults.DistillationWeight,
            RetainWeight = request.HasRetainWeight ? request.RetainWeight : defaults.RetainWeight,
            Seed = request.HasSeed ? (int)request.Seed : defaults.Seed,
            ExplainCount = request.HasExplainCount ? request.ExplainCount : defaults.ExplainCount,
            MaxAccuracyLoss = request.HasMaxAccuracyLoss ? request.MaxAccuracyLoss : null,
            Evidence = request.Evidence.ToEngine(),
            CounterfactualSet = counterfactualSet,
            CounterfactualSetApproved = counterfactualSet is not null,
            CounterfactualSpec = counterfactualSpec,
        };
    }

    /// <summary>Whether the request's method or objective uses counterfactuals at all.</summary>
    public static bool UsesCounterfactuals(this DebiasOptions options) =>
        options.Method is DebiasMethod.CounterfactualReplacement or DebiasMethod.SaliencyMasked
            or DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree
        || options.Objective == BiasObjectiveKind.CounterfactualGap;

    /// <summary>Whether the request's method or objective cannot run without an approved counterfactual set.</summary>
    public static bool NeedsCounterfactualSet(this DebiasOptions options) =>
        options.Method is DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree
        || options.Objective == BiasObjectiveKind.CounterfactualGap;

    public static DebiasMethod ToEngine(Proto.DebiasMethod method) => method switch
    {
        Proto.DebiasMethod.InfluenceNewton => DebiasMethod.InfluenceNewton,
        Proto.DebiasMethod.CounterfactualReplacement => DebiasMethod.CounterfactualReplacement,
        Proto.DebiasMethod.GradientAscent => DebiasMethod.GradientAscent,
        Proto.DebiasMethod.SaliencyMasked => DebiasMethod.SaliencyMasked,
        Proto.DebiasMethod.CounterfactualFineTune => DebiasMethod.CounterfactualFineTune,
        Proto.DebiasMethod.DataFree => DebiasMethod.DataFree,
        _ => throw UnknownEnum("method", (int)method, Enum.GetNames<Proto.DebiasMethod>(), "DEBIAS_METHOD_"),
    };

    public static Proto.DebiasMethod ToProto(this DebiasMethod method) => method switch
    {
        DebiasMethod.InfluenceNewton => Proto.DebiasMethod.InfluenceNewton,
        DebiasMethod.CounterfactualReplacement => Proto.DebiasMethod.CounterfactualReplacement,
        DebiasMethod.GradientAscent => Proto.DebiasMethod.GradientAscent,
        DebiasMethod.SaliencyMasked => Proto.DebiasMethod.SaliencyMasked,
        DebiasMethod.CounterfactualFineTune => Proto.DebiasMethod.CounterfactualFineTune,
        DebiasMethod.DataFree => Proto.DebiasMethod.DataFree,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "The engine returned a method the proto does not list."),
    };

    private static BiasObjectiveKind ToEngine(Proto.BiasObjective objective, BiasObjectiveKind unset) => objective switch
    {
        Proto.BiasObjective.Unspecified => unset,
        Proto.BiasObjective.DemographicParity => BiasObjectiveKind.DemographicParity,
        Proto.BiasObjective.EqualizedOdds => BiasObjectiveKind.EqualizedOdds,
        Proto.BiasObjective.FalsePositiveRate => BiasObjectiveKind.FalsePositiveRate,
        Proto.BiasObjective.CounterfactualGap => BiasObjectiveKind.CounterfactualGap,
        _ => throw UnknownEnum("objective", (int)objective, Enum.GetNames<Proto.BiasObjective>(), "BIAS_OBJECTIVE_"),
    };

    private static InfluenceSolverKind ToEngine(Proto.InfluenceSolver solver, InfluenceSolverKind unset) => solver switch
    {
        Proto.InfluenceSolver.Unspecified => unset,
        Proto.InfluenceSolver.ConjugateGradient => InfluenceSolverKind.ConjugateGradient,
        Proto.InfluenceSolver.Lissa => InfluenceSolverKind.Lissa,
        _ => throw UnknownEnum("solver", (int)solver, Enum.GetNames<Proto.InfluenceSolver>(), "INFLUENCE_SOLVER_"),
    };

    private static CurvatureKind ToEngine(Proto.Curvature curvature, CurvatureKind unset) => curvature switch
    {
        Proto.Curvature.Unspecified => unset,
        Proto.Curvature.Hessian => CurvatureKind.Hessian,
        Proto.Curvature.GaussNewton => CurvatureKind.GaussNewton,
        _ => throw UnknownEnum("curvature", (int)curvature, Enum.GetNames<Proto.Curvature>(), "CURVATURE_"),
    };

    private static SaliencyKind ToEngine(Proto.Saliency saliency, SaliencyKind unset) => saliency switch
    {
        Proto.Saliency.Unspecified => unset,
        Proto.Saliency.Gradient => SaliencyKind.Gradient,
        Proto.Saliency.GradientTimesWeight => SaliencyKind.GradientTimesWeight,
        _ => throw UnknownEnum("saliency", (int)saliency, Enum.GetNames<Proto.Saliency>(), "SALIENCY_"),
    };

    private static Proto.BiasObjective ToProto(this BiasObjectiveKind objective) => objective switch
    {
        BiasObjectiveKind.DemographicParity => Proto.BiasObjective.DemographicParity,
        BiasObjectiveKind.EqualizedOdds => Proto.BiasObjective.EqualizedOdds,
        BiasObjectiveKind.FalsePositiveRate => Proto.BiasObjective.FalsePositiveRate,
        BiasObjectiveKind.CounterfactualGap => Proto.BiasObjective.CounterfactualGap,
        _ => Proto.BiasObjective.Unspecified,
    };

    private static Proto.ObjectiveRows ToProto(this ObjectiveRows rows) => rows switch
    {
        ObjectiveRows.Validation => Proto.ObjectiveRows.Validation,
        ObjectiveRows.TrainingAndValidation => Proto.ObjectiveRows.TrainingAndValidation,
        _ => Proto.ObjectiveRows.Unspecified,
    };

    private static Proto.InfluenceSolver ToProto(this InfluenceSolverKind solver) => solver switch
    {
        InfluenceSolverKind.ConjugateGradient => Proto.InfluenceSolver.ConjugateGradient,
        InfluenceSolverKind.Lissa => Proto.InfluenceSolver.Lissa,
        _ => Proto.InfluenceSolver.Unspecified,
    };

    private static Proto.Curvature ToProto(this CurvatureKind curvature) => curvature switch
    {
        CurvatureKind.Hessian => Proto.Curvature.Hessian,
        CurvatureKind.GaussNewton => Proto.Curvature.GaussNewton,
        _ => Proto.Curvature.Unspecified,
    };

    private static EngineException UnknownEnum(string field, int value, IEnumerable<string> names, string prefix) =>
        EngineException.Invalid(field, $"{field} {value} is unknown; use one of {string.Join(", ", names.Select(n => prefix + ToScreamingSnake(n)))}.",
            value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string ToScreamingSnake(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    /// <summary>Maps an outcome to the final result; <c>new_version_id</c> is left for the caller to set.</summary>
    public static Proto.DebiasResult ToProto(this DebiasOutcome outcome, string baseVersionId, string? counterfactualSetId)
    {
        var result = new Proto.DebiasResult
        {
            Before = outcome.Before.ToProto(),
            After = outcome.After.ToProto(),
            Retrain = outcome.Retrain?.ToProto(),
            RemovedSampleCount = outcome.RemovedRowIds.Length,
            Timings = new Proto.Timings
            {
                RankingSeconds = outcome.Timings.RankingSeconds,
                UnlearningSeconds = outcome.Timings.UnlearningSeconds,
                RetrainSeconds = outcome.Timings.RetrainSeconds,
                EvaluationSeconds = outcome.Timings.EvaluationSeconds,
            },
            Influence = new Proto.InfluenceSummary
            {
                ParameterCount = outcome.Influence.ParameterCount,
                Damping = outcome.Influence.Damping,
                SolverIterations = outcome.Influence.SolverIterations,
                SolverResidual = outcome.Influence.SolverResidual,
                ObjectiveBefore = outcome.Influence.ObjectiveBefore,
                ObjectivePredicted = outcome.Influence.ObjectivePredicted,
                ObjectiveAfter = outcome.Influence.ObjectiveAfter,
                NewtonSteps = outcome.Influence.NewtonSteps,
                DampingChosenByRule = outcome.Influence.DampingChosenByRule,
                Curvature = outcome.Influence.Curvature?.ToProto() ?? Proto.Curvature.Unspecified,
                Solver = outcome.Influence.Solver?.ToProto() ?? Proto.InfluenceSolver.Unspecified,
                Objective = outcome.Influence.Objective.ToProto(),
                ObjectiveRows = outcome.Influence.ObjectiveRows.ToProto(),
                ObjectiveRowCount = outcome.Influence.ObjectiveRowCount,
            },
            BaseVersionId = baseVersionId,
            CounterfactualSetId = counterfactualSetId ?? "",
            Method = outcome.Method.ToProto(),
            Explanation = ToProto(outcome.Explanation),
        };
        result.Influence.Layers.AddRange(outcome.Influence.Layers);
        result.RemovedRowIds.AddRange(outcome.RemovedRowIds);
        result.Warnings.AddRange(outcome.Warnings);
        if (outcome.AccuracyBudget is { } budget)
        {
            result.AccuracyBudget = new Proto.AccuracyBudget
            {
                MaxAccuracyLoss = budget.MaxAccuracyLoss,
                ValidationAccuracyBefore = budget.ValidationAccuracyBefore,
                ValidationAccuracyAfter = budget.ValidationAccuracyAfter,
                StepScale = budget.StepScale,
            };
        }
        result.LayerChanges.AddRange(outcome.LayerChanges.Select(c => new Proto.LayerChange
        {
            Layer = c.Layer,
            DeltaNorm = c.DeltaNorm,
            RelativeChange = c.RelativeChange,
        }));
        result.LayerAttributions.AddRange(outcome.LayerAttributions.Select(a => new Proto.LayerAttribution
        {
            Layer = a.Layer,
            GradientNorm = a.GradientNorm,
            MeanCurvature = a.MeanCurvature,
            Score = a.Score,
            Chosen = a.Chosen,
        }));
        if (outcome.ChangedParameterFraction is { } fraction)
            result.ChangedParameterFraction = fraction;
        if (outcome.Timings.RetrainSpeedUp is { } speedUp)
            result.Timings.RetrainSpeedUp = speedUp;
        result.Evidence = outcome.Evidence?.ToProto();
        result.CounterfactualMaps.AddRange((outcome.CounterfactualSpec?.AllMaps ?? []).Select(map => new Proto.ColumnValueMap
        {
            Column = map.Column,
            Values = { map.Values.ToDictionary() },
        }));
        return result;
    }

    private static Proto.RankingExplanation ToProto(Engine.Influence.RankingExplanation explanation)
    {
        var proto = new Proto.RankingExplanation();
        foreach (var sample in explanation.TopHarmful)
        {
            var harmful = new Proto.HarmfulSample { RowId = sample.RowId, Score = sample.Score, Group = sample.Group, Label = sample.Label > 0.5f ? 1 : 0 };
            harmful.Features.Add(new Dictionary<string, string>(sample.Features));
            proto.TopHarmful.Add(harmful);
        }

        proto.Breakdown.AddRange(explanation.Breakdown.Select(c => new Proto.HarmfulCell
        {
            Group = c.Group,
            Label = c.Label > 0.5f ? 1 : 0,
            HarmfulCount = c.HarmfulCount,
            TrainCount = c.TrainCount,
        }));
        return proto;
    }
}
