using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps debias requests to engine options and engine outcomes to proto results.</summary>
internal static class DebiasMapper
{
    /// <summary>Converts a request to options; unset fields take the engine's defaults. Does not validate.</summary>
    public static DebiasOptions ToOptions(this Proto.DebiasRequest request)
    {
        var defaults = new DebiasOptions();
        return new DebiasOptions
        {
            RemoveFraction = request.HasRemoveFraction ? request.RemoveFraction : defaults.RemoveFraction,
            Damping = request.HasDamping ? request.Damping : defaults.Damping,
            NewtonSteps = request.HasNewtonSteps ? request.NewtonSteps : defaults.NewtonSteps,
            Layers = request.Layers.ToList(),
            CompareRetrain = request.CompareRetrain,
        };
    }

    /// <summary>Maps an outcome to the final result; <c>new_version_id</c> is left for the caller to set.</summary>
    public static Proto.DebiasResult ToProto(this DebiasOutcome outcome, string baseVersionId)
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
            },
            BaseVersionId = baseVersionId,
        };
        result.Influence.Layers.AddRange(outcome.Influence.Layers);
        result.RemovedRowIds.AddRange(outcome.RemovedRowIds);
        return result;
    }
}
