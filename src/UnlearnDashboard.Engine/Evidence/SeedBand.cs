using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// Cache of seed-noise trainings: the test metrics of the base model's architecture and settings trained with
/// other seeds, keyed by a hash of the model spec and the training data. The trainings cost several full
/// trainings, so every run on the same model and dataset reuses them. Thread-safe; one computation runs at a
/// time in a process.
/// </summary>
/// <param name="directory">
/// Folder that keeps each entry as a JSON file, so that other processes (the compute server's job workers)
/// reuse it. Null keeps entries in memory only. Two processes that miss the same entry at once both train it
/// and write the same file.
/// </param>
public sealed class SeedBandCache(string? directory = null)
{
    private static readonly JsonSerializerOptions FileFormat = new() { WriteIndented = true };

    private readonly Dictionary<string, IReadOnlyList<HeadlineMetrics>> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _trainingCount;

    /// <summary>The cache shared by the pipeline within one process.</summary>
    public static SeedBandCache Shared { get; } = new();

    /// <summary>Trainings this cache has run, for tests and diagnostics.</summary>
    public int TrainingCount => Volatile.Read(ref _trainingCount);

    /// <summary>Entries held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    /// <summary>
    /// Returns the test metrics of the model's settings trained with seeds base + 1 to base + <paramref name="seeds"/>
    /// on the full training split, training them only when the cache lacks them.
    /// </summary>
    public (IReadOnlyList<int> Seeds, IReadOnlyList<HeadlineMetrics> Runs, bool FromCache) GetOrTrain(
        TrainedModel model,
        PreparedDataset data,
        int seeds,
        CancellationToken cancellationToken)
    {
        int baseSeed = model.Spec.Settings.Seed;
        var seedList = Enumerable.Range(1, seeds).Select(i => baseSeed + i).ToList();
        string key = KeyOf(model.Spec, data, seeds);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var cached))
                return (seedList, cached, true);

            if (ReadFile(key, seeds) is { } stored)
            {
                _entries[key] = stored;
                return (seedList, stored, true);
            }

            using var inputs = model.EncodeInputs(data.Train);
            using var labels = tensor(data.Train.Labels);
            var runs = new List<HeadlineMetrics>();
            foreach (int seed in seedList)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var trained = ModelTrainer.TrainEncoded(data, model.Spec.Settings with { Seed = seed }, model.Encoder, inputs, labels, null, cancellationToken);
                Interlocked.Increment(ref _trainingCount);
                runs.Add(HeadlineMetrics.Of(FairnessEvaluator.Evaluate(trained, data, "test")));
            }

            _entries[key] = runs;
            WriteFile(key, runs);
            return (seedList, runs, false);
        }
    }

    private string? FilePath(string key) => directory is null ? null : Path.Combine(directory, key + ".json");

    /// <summary>Reads an entry's file; a missing, unreadable or malformed file counts as a miss and is trained again.</summary>
    private List<HeadlineMetrics>? ReadFile(string key, int seeds)
    {
        if (FilePath(key) is not { } path || !File.Exists(path))
            return null;

        try
        {
            var runs = JsonSerializer.Deserialize<List<HeadlineMetrics>>(File.ReadAllBytes(path), FileFormat);
            return runs is not null && runs.Count == seeds ? runs : null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes an entry's file through a temporary file and a rename, so that readers never see half of it.</summary>
    private void WriteFile(string key, List<HeadlineMetrics> runs)
    {
        if (FilePath(key) is not { } path)
            return;

        Directory.CreateDirectory(directory!);
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(runs, FileFormat));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Returns the cache key: SHA-256 of the model spec (settings, encoder and layers), the seed count, the
    /// dataset name and every training and test row's id and label.
    /// </summary>
    public static string KeyOf(ModelSpec spec, PreparedDataset data, int seeds)
    {
        var text = new StringBuilder();
        text.Append(spec.ToJson()).Append('\n').Append(seeds).Append('\n').Append(data.Definition.Name).Append('\n');
        foreach (var split in new[] { data.Train, data.Test })
        {
            text.Append(split.Name).Append(':');
            for (int i = 0; i < split.Count; i++)
                text.Append(split.RowIds[i]).Append(split.Labels[i] > 0.5f ? '+' : '-');
            text.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>Builds the seed-noise band: mean plus or minus 2 sample standard deviations over the seeds.</summary>
public static class SeedBand
{
    /// <summary>Computes the band of each headline metric and whether <paramref name="result"/> lies outside it.</summary>
    public static IReadOnlyList<SeedBandMetric> Compute(IReadOnlyList<HeadlineMetrics> runs, HeadlineMetrics result) =>
    [
        Band("accuracy", runs.Select(r => r.Accuracy).ToList(), result.Accuracy),
        Band("demographic_parity_difference", runs.Select(r => r.DemographicParityDifference).ToList(), result.DemographicParityDifference),
        Band("equalized_odds_difference", runs.Select(r => r.EqualizedOddsDifference).ToList(), result.EqualizedOddsDifference),
    ];

    private static SeedBandMetric Band(string metric, IReadOnlyList<double?> values, double? result)
    {
        var defined = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        if (defined.Count < 2)
            return new SeedBandMetric(metric, values, null, null, null, null, result, null);

        double mean = defined.Average();
        double sd = Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (defined.Count - 1));
        double lower = mean - 2 * sd;
        double upper = mean + 2 * sd;
        bool? outside = result is { } r ? r < lower || r > upper : null;
        return new SeedBandMetric(metric, values, mean, sd, lower, upper, result, outside);
    }
}
