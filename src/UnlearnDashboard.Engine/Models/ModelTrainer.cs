using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Pipeline;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Models;

/// <summary>Trains a <see cref="TabularModel"/> with Adam on binary cross-entropy, repeatably on CPU.</summary>
public static class ModelTrainer
{
    /// <summary>
    /// Trains from scratch on the training split, minus <paramref name="excludedRowIds"/>. A given
    /// <paramref name="encoder"/> is reused (a retrain keeps the original's inputs); otherwise one is
    /// fitted on the training split.
    /// </summary>
    public static TrainedModel Train(
        PreparedDataset data,
        ModelSettings settings,
        IReadOnlySet<long>? excludedRowIds,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken,
        FeatureEncoder? encoder = null)
    {
        settings.Validate();
        var train = excludedRowIds is { Count: > 0 } ? data.Train.Without(excludedRowIds) : data.Train;
        encoder ??= FeatureEncoder.Fit(data.Train, InputColumns(data, settings), data.NumericColumns);
        using var inputs = tensor(encoder.Encode(train), [train.Count, encoder.FeatureCount], float32);
        using var labels = tensor(train.Labels);
        return TrainEncoded(data, settings, encoder, inputs, labels, progress, cancellationToken);
    }

    /// <summary>
    /// Trains from scratch on rows that are already encoded with <paramref name="encoder"/>. With
    /// <paramref name="sampleWeights"/> (float32, one per row) each batch's loss is the mean of weight times
    /// binary cross-entropy over its rows; without them every row weighs 1, as before.
    /// </summary>
    internal static TrainedModel TrainEncoded(
        PreparedDataset data,
        ModelSettings settings,
        FeatureEncoder encoder,
        Tensor inputs,
        Tensor labels,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken,
        Tensor? sampleWeights = null)
    {
        if (sampleWeights is not null && sampleWeights.shape[0] != inputs.shape[0])
            throw new ArgumentException($"sampleWeights has {sampleWeights.shape[0]} rows, but inputs have {inputs.shape[0]}.", nameof(sampleWeights));

        settings.Validate();
        manual_seed(settings.Seed);
        var layers = new List<LayerShape>();
        int width = encoder.FeatureCount;
        foreach (int next in settings.EffectiveHidden.Append(1))
        {
            layers.Add(new LayerShape($"fc{layers.Count + 1}", width, next));
            width = next;
        }

        var spec = new ModelSpec
        {
            Settings = settings,
            SensitiveColumn = data.Definition.SensitiveColumn,
            EncoderColumns = encoder.Columns,
            Layers = layers,
        };
        var model = new TrainedModel(spec, TrainedModel.CreateNetwork(spec));
        try
        {
            Fit(model, data, inputs, labels, sampleWeights, settings, progress, cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Feature columns the model reads: all of them, or all but the sensitive one and its sources.</summary>
    public static IReadOnlyList<string> InputColumns(PreparedDataset data, ModelSettings settings)
    {
        if (!settings.ExcludeSensitiveFeature)
            return data.Train.FeatureColumns;

        string sensitive = data.Definition.SensitiveColumn;
        var sources = data.Definition.DerivedColumns.Where(d => d.Name == sensitive).Select(d => d.SourceColumn).ToHashSet();
        return data.Train.FeatureColumns.Where(c => c != sensitive && !sources.Contains(c)).ToList();
    }

    private static void Fit(
        TrainedModel model,
        PreparedDataset data,
        Tensor inputs,
        Tensor labels,
        Tensor? sampleWeights,
        ModelSettings settings,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken)
    {
        var network = model.Network;
        using var optimizer = new AdamOptimizer(network.parameters(), settings.LearningRate);
        using var generator = new Generator((ulong)settings.Seed);
        long rows = inputs.shape[0];

        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            network.train();
            double lossSum = 0;
            using (var order = randperm(rows, generator: generator))
            {
                for (long start = 0; start < rows; start += settings.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var step = NewDisposeScope();
                    var batch = order.narrow(0, start, Math.Min(settings.BatchSize, rows - start));
                    var logits = network.forward(inputs.index_select(0, batch));
                    var loss = sampleWeights is null
                        ? nn.functional.binary_cross_entropy_with_logits(logits, labels.index_select(0, batch))
                        : nn.functional.binary_cross_entropy_with_logits(logits, labels.index_select(0, batch), weight: sampleWeights.index_select(0, batch));
                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.Step();
                    lossSum += loss.item<float>() * batch.shape[0];
                }
            }

            if (progress is not null)
            {
                var validation = FairnessEvaluator.Evaluate(model.PredictLogits(data.Validation), data.Validation, data);
                progress.Report(new ProgressUpdate(
                    "training",
                    0.9 * epoch / settings.Epochs,
                    $"Epoch {epoch} of {settings.Epochs}",
                    new LiveMetrics
                    {
                        Step = epoch,
                        Loss = lossSum / rows,
                        Accuracy = validation.Accuracy,
                        DemographicParityDifference = validation.DemographicParityDifference,
                        SelectionRates = validation.Groups.Where(g => g.SelectionRate is not null)
                            .ToDictionary(g => g.Group, g => g.SelectionRate!.Value),
                    }));
            }
        }

        network.eval();
    }
}
