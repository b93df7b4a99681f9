using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using UnlearnDashboard.Engine.Data;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Models;

/// <summary>Shape of one linear layer: <c>weight</c> is [Outputs, Inputs].</summary>
public sealed record LayerShape(string Name, int Inputs, int Outputs)
{
    public long ParameterCount => (long)Inputs * Outputs + Outputs;
}

/// <summary>
/// Everything needed to rebuild a model except its weights: settings, the fitted encoder and the layer
/// shapes. Stored as JSON beside the weights file.
/// </summary>
public sealed record ModelSpec
{
    public required ModelSettings Settings { get; init; }

    public required string SensitiveColumn { get; init; }

    public required IReadOnlyList<EncodedColumn> EncoderColumns { get; init; }

    public required IReadOnlyList<LayerShape> Layers { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ModelSpec>(json, JsonOptions)
        ?? throw new EngineException(EngineErrorKind.DataLoss, "spec", "The model spec is empty.");
}

/// <summary>A network together with the encoder that turns raw rows into its inputs.</summary>
public sealed class TrainedModel : IDisposable
{
    public TrainedModel(ModelSpec spec, TabularModel network)
    {
        Spec = spec;
        Network = network;
        Encoder = new FeatureEncoder(spec.EncoderColumns);
    }

    public ModelSpec Spec { get; }

    public TabularModel Network { get; }

    public FeatureEncoder Encoder { get; }

    /// <summary>Encodes a split with this model's encoder into a float32 tensor [rows, features].</summary>
    public Tensor EncodeInputs(TabularSplit split) =>
        tensor(Encoder.Encode(split), [split.Count, Encoder.FeatureCount], float32);

    /// <summary>Returns the logits of every row of a split, computed in evaluation mode without gradients.</summary>
    public float[] PredictLogits(TabularSplit split)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Network.eval();
        var inputs = EncodeInputs(split);
        return Network.forward(inputs).data<float>().ToArray();
    }

    /// <summary>Returns a deep copy whose weights can change without touching this model.</summary>
    public TrainedModel Clone()
    {
        var copy = CreateNetwork(Spec);
        using (no_grad())
        {
            var source = Network.state_dict();
            foreach (var (name, parameter) in copy.state_dict())
                parameter.copy_(source[name]);
        }

        return new TrainedModel(Spec, copy);
    }

    /// <summary>Writes the weights in TorchSharp's format and returns their SHA-256, lowercase hex.</summary>
    public string SaveWeights(Stream destination)
    {
        using var buffer = new MemoryStream();
        Network.save(buffer);
        byte[] bytes = buffer.ToArray();
        destination.Write(bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>
    /// Loads weights for a spec, checking the SHA-256 first when one is given, then every parameter's
    /// shape, so a damaged or foreign file never loads partly.
    /// </summary>
    public static TrainedModel Load(ModelSpec spec, byte[] weights, string? expectedSha256, string source)
    {
        if (expectedSha256 is not null)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(weights));
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new EngineException(EngineErrorKind.DataLoss, "weights",
                    $"Model file {source} is damaged: its SHA-256 is {actual}, expected {expectedSha256}.");
            }
        }

        var network = CreateNetwork(spec);
        try
        {
            using var stream = new MemoryStream(weights, writable: false);
            network.load(stream, strict: true);
        }
        catch (Exception error) when (error is not EngineException)
        {
            var expected = network.state_dict().Select(p => (p.Key, p.Value.shape)).ToList();
            network.Dispose();
            string cause = TorchSharpWeightsScan.DescribeMismatch(weights, expected) ?? error.Message.TrimEnd('.');
            throw new EngineException(EngineErrorKind.DataLoss, "weights",
                $"Model file {source} could not be read as TorchSharp weights ({weights.Length} bytes): {cause}.");
        }

        return new TrainedModel(spec, network);
    }

    /// <summary>Builds an untrained network with the spec's layer shapes.</summary>
    public static TabularModel CreateNetwork(ModelSpec spec)
    {
        int inputs = spec.EncoderColumns.Sum(c => c.IsNumeric ? 1 : c.Levels.Count);
        var hidden = spec.Layers.Take(spec.Layers.Count - 1).Select(l => l.Outputs).ToList();
        return new TabularModel(inputs, hidden);
    }

    public void Dispose() => Network.Dispose();
}
