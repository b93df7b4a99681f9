using System.Diagnostics;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// Kamiran-Calders reweighing (Kamiran and Calders, "Data preprocessing techniques for classification without
/// discrimination", 2012; AIF360's Reweighing): each training row of group g with label y gets the weight
/// w(g, y) = P(g) P(y) / P(g, y), which makes group and label independent in the weighted data.
/// </summary>
public static class Reweighing
{
    /// <summary>Computes the weight of every (group, label) cell present, groups in ordinal order, label false first.</summary>
    public static IReadOnlyList<ReweighingWeight> Weights(IReadOnlyList<string> groups, IReadOnlyList<bool> labels)
    {
        if (groups.Count != labels.Count)
            throw new ArgumentException($"groups ({groups.Count}) and labels ({labels.Count}) differ in length.");

        double n = groups.Count;
        var cells = new Dictionary<(string Group, bool Label), long>();
        var groupCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        long positives = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            cells[(groups[i], labels[i])] = cells.GetValueOrDefault((groups[i], labels[i])) + 1;
            groupCounts[groups[i]] = groupCounts.GetValueOrDefault(groups[i]) + 1;
            if (labels[i])
                positives++;
        }

        return cells
            .OrderBy(c => c.Key.Group, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Label)
            .Select(c =>
            {
                double pGroup = groupCounts[c.Key.Group] / n;
                double pLabel = (c.Key.Label ? positives : n - positives) / n;
                double pCell = c.Value / n;
                return new ReweighingWeight(c.Key.Group, c.Key.Label, c.Value, pGroup * pLabel / pCell);
            })
            .ToList();
    }

    /// <summary>Returns each row's weight from <see cref="Weights"/>.</summary>
    public static float[] SampleWeights(IReadOnlyList<string> groups, IReadOnlyList<bool> labels, IReadOnlyList<ReweighingWeight> table)
    {
        var byCell = table.ToDictionary(w => (w.Group, w.Label), w => w.Weight);
        return Enumerable.Range(0, groups.Count).Select(i => (float)byCell[(groups[i], labels[i])]).ToArray();
    }

    /// <summary>Trains the base model's architecture, settings and seed on the reweighed training split.</summary>
    internal static ReweighingResult Run(
        TrainedModel model,
        PreparedDataset data,
        Tensor trainInputs,
        Tensor trainLabels,
        CancellationToken cancellationToken)
    {
        var labels = data.Train.Labels.Select(l => l > 0.5f).ToArray();
        var table = Weights(data.Train.Groups, labels);
        using var weights = tensor(SampleWeights(data.Train.Groups, labels, table));

        var watch = Stopwatch.StartNew();
        using var reweighed = ModelTrainer.TrainEncoded(data, model.Spec.Settings, model.Encoder, trainInputs, trainLabels, null, cancellationToken, weights);
        double seconds = watch.Elapsed.TotalSeconds;
        return new ReweighingResult(table, FairnessEvaluator.Evaluate(reweighed, data, "test"), seconds);
    }
}
