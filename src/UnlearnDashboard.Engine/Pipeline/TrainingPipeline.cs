using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>A freshly trained model with its test-split fairness.</summary>
public sealed record TrainingOutcome(TrainedModel Model, FairnessReport TestReport, double TrainingSeconds);

/// <summary>Trains a model on a dataset's training split and evaluates it on the test split.</summary>
public static class TrainingPipeline
{
    public static TrainingOutcome Run(
        PreparedDataset data,
        ModelSettings settings,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var model = ModelTrainer.Train(data, settings, excludedRowIds: null, progress, cancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;

        progress?.Report(new ProgressUpdate("evaluating", 0.95, "Evaluating fairness on the test split"));
        var report = FairnessEvaluator.Evaluate(model, data, "test");
        return new TrainingOutcome(model, report, seconds);
    }
}
