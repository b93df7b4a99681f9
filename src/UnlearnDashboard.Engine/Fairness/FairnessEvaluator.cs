using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Fairness;

/// <summary>Evaluates a model's decisions (positive when the logit is > 0) on a dataset split.</summary>
public static class FairnessEvaluator
{
    public static FairnessReport Evaluate(TrainedModel model, PreparedDataset data, string split)
    {
        var rows = data.GetSplit(split);
        float[] logits = model.PredictLogits(rows);
        return Evaluate(logits, rows, data);
    }

    public static FairnessReport Evaluate(IReadOnlyList<float> logits, TabularSplit rows, PreparedDataset data) =>
        FairnessCalculator.Compute(
            rows.Name,
            data.Definition.SensitiveColumn,
            data.ReferenceGroup,
            rows.Labels.Select(l => l > 0.5f).ToArray(),
            logits.Select(l => l > 0f).ToArray(),
            rows.Groups,
            data.Groups,
            data.ExcludedRows);
}
