using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>Reports live metrics of an iterative update on a monitoring split, one report per step.</summary>
internal sealed class StepMetrics(TrainedModel model, TabularSplit? monitor, PreparedDataset? data, Tensor? monitorInputs, IProgress<ProgressUpdate>? progress)
{
    /// <summary>Reports step <paramref name="step"/> of <paramref name="steps"/> with its loss, and accuracy and parity on the monitoring split.</summary>
    public void Report(int step, int steps, double loss, double fractionStart, double fractionEnd, string phase)
    {
        if (progress is null)
            return;

        var metrics = new LiveMetrics { Step = step, Loss = loss };
        if (monitor is not null && data is not null && monitorInputs is not null)
        {
            float[] logits;
            using (no_grad())
            using (var scope = NewDisposeScope())
                logits = model.Network.forward(monitorInputs).data<float>().ToArray();

            var report = FairnessEvaluator.Evaluate(logits, monitor, data);
            metrics = metrics with
            {
                Accuracy = report.Accuracy,
                DemographicParityDifference = report.DemographicParityDifference,
                SelectionRates = report.Groups.Where(g => g.SelectionRate is not null).ToDictionary(g => g.Group, g => g.SelectionRate!.Value),
            };
        }

        double fraction = fractionStart + (fractionEnd - fractionStart) * step / steps;
        progress.Report(new ProgressUpdate(phase, fraction, $"Step {step} of {steps}", metrics));
    }
}
