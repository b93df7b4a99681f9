using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>Maps the compute server's job events to <see cref="JobStreamEvent"/>.</summary>
public static class JobEventMapping
{
    public static JobStreamEvent ToStreamEvent(this JobEvent jobEvent)
    {
        var streamEvent = new JobStreamEvent
        {
            JobId = jobEvent.JobId,
            Sequence = jobEvent.Sequence,
            Time = jobEvent.Time?.ToDateTimeOffset() ?? DateTimeOffset.MinValue,
        };

        return jobEvent.EventCase switch
        {
            JobEvent.EventOneofCase.Progress => streamEvent with
            {
                Kind = JobEventKind.Progress,
                Phase = jobEvent.Progress.Phase,
                Fraction = jobEvent.Progress.Fraction,
                Message = jobEvent.Progress.Message,
                Metrics = ToStepMetrics(jobEvent.Progress.Metrics),
            },
            JobEvent.EventOneofCase.Result => streamEvent with
            {
                Kind = JobEventKind.Result,
                Fraction = 1,
                Result = jobEvent.Result.ToOutcome(),
            },
            _ => streamEvent with
            {
                Kind = JobEventKind.Ended,
                Message = jobEvent.Ended?.Message,
                EndedState = DescribeState(jobEvent.Ended?.State ?? JobState.Unspecified),
            },
        };
    }

    public static JobOutcome? ToOutcome(this JobResult? result)
    {
        if (result is null)
            return null;

        if (result.ResultCase == JobResult.ResultOneofCase.Train)
        {
            return new JobOutcome
            {
                Trained = result.Train.TestReport.ToSummary(),
                NewVersionId = result.Train.VersionId,
                TrainingSeconds = result.Train.TrainingSeconds,
            };
        }

        if (result.ResultCase == JobResult.ResultOneofCase.Erasure)
        {
            var erasure = result.Erasure;
            return new JobOutcome
            {
                After = erasure.After.ToSummary(),
                ErasureId = erasure.ErasureId,
                NewVersionId = erasure.NewVersionId,
                BaseVersionId = erasure.BaseVersionId,
                ErasedRowCount = erasure.ErasedRowCount,
                TrainedRowCount = erasure.TrainedRowCount,
                VerificationPassed = erasure.Verification?.Passed ?? false,
                VerificationMessage = erasure.Verification?.Message ?? "",
                Layers = erasure.Layers.ToList(),
                Damping = erasure.Damping,
            };
        }

        var debias = result.Debias;
        if (debias is null)
            return null;

        return new JobOutcome
        {
            Before = debias.Before.ToSummary(),
            After = debias.After.ToSummary(),
            Retrain = debias.Retrain.ToSummary(),
            RemovedSampleCount = debias.RemovedSampleCount,
            NewVersionId = debias.NewVersionId,
            BaseVersionId = debias.BaseVersionId,
            RankingSeconds = debias.Timings?.RankingSeconds ?? 0,
            UnlearningSeconds = debias.Timings?.UnlearningSeconds ?? 0,
            RetrainSeconds = debias.Timings?.RetrainSeconds ?? 0,
            RetrainSpeedUp = debias.Timings is { HasRetrainSpeedUp: true } timings ? timings.RetrainSpeedUp : null,
            EvaluationSeconds = debias.Timings?.EvaluationSeconds ?? 0,
            Layers = debias.Influence?.Layers.ToList() ?? [],
            Damping = debias.Influence is { Solver: not InfluenceSolver.Unspecified } influence ? influence.Damping : null,
            ObjectiveBefore = debias.Influence?.ObjectiveBefore,
            ObjectivePredicted = debias.Influence?.ObjectivePredicted,
            ObjectiveAfter = debias.Influence?.ObjectiveAfter,
            Evidence = debias.ToEvidenceSummary(),
            Warnings = [.. debias.Warnings],
        };
    }

    /// <summary>Returns the state's name without the proto prefix, for example "Cancelled".</summary>
    public static string DescribeState(JobState state) => state switch
    {
        JobState.Queued => "Queued",
        JobState.Running => "Running",
        JobState.Succeeded => "Succeeded",
        JobState.Failed => "Failed",
        JobState.Cancelled => "Cancelled",
        JobState.Interrupted => "Interrupted",
        _ => "Unknown",
    };

    private static StepMetrics? ToStepMetrics(LiveMetrics? metrics)
    {
        if (metrics is null)
            return null;

        return new StepMetrics
        {
            Step = metrics.Step,
            Accuracy = metrics.HasAccuracy ? metrics.Accuracy : null,
            DemographicParityDifference = metrics.HasDemographicParityDifference ? metrics.DemographicParityDifference : null,
            BiasObjective = metrics.HasBiasObjective ? metrics.BiasObjective : null,
            Loss = metrics.HasLoss ? metrics.Loss : null,
            SelectionRates = metrics.SelectionRates.ToDictionary(pair => pair.Key, pair => pair.Value),
        };
    }
}
