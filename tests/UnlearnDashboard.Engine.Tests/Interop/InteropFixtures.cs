using System.Text.Json;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Interop;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Tests.Interop;

/// <summary>
/// The files that make_torch_fixtures.py wrote with PyTorch, and Adult loaded once: loading it takes a second,
/// and every model test needs it.
/// </summary>
public sealed class InteropFixtures
{
    public InteropFixtures()
    {
        Data = DatasetProfiles.Load(DatasetProfiles.Adult);
        using var train = File.OpenRead(Path.Combine(DatasetProfiles.DataFolder, DatasetProfiles.Adult.TrainFile));
        using var rows = File.OpenRead(PathOf("adult_rows.csv"));
        Rows = DatasetLoader.Load(DatasetProfiles.Adult.Definition, train, "adult.csv", rows, "adult_rows.csv").Test;

        using var predictions = JsonDocument.Parse(File.ReadAllText(PathOf("adult_mlp.predictions.json")));
        TorchLogits = predictions.RootElement.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        SpecJson = File.ReadAllText(PathOf("adult_mlp.spec.json"));
    }

    public PreparedDataset Data { get; }

    /// <summary>The fixed Adult rows that PyTorch predicted, in file order.</summary>
    public TabularSplit Rows { get; }

    /// <summary>PyTorch's logits for <see cref="Rows"/>.</summary>
    public double[] TorchLogits { get; }

    public string SpecJson { get; }

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Interop", "Fixtures", file);

    public TrainedModel Import(string file, string? specJson = null) =>
        ModelInterop.Import(InteropSpec.Parse(specJson ?? SpecJson), File.ReadAllBytes(PathOf(file)), file, Data);
}
