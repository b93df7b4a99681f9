using System.IO.Compression;
using UnlearnDashboard.Engine.Interop;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Tests.Interop;

/// <summary>
/// Damaged, foreign and mismatched weights files given to <see cref="TrainedModel.Load"/>, which reads every
/// stored version. The first version is the Adult MLP (104 inputs, hidden 64 and 32) that PyTorch wrote,
/// saved again in TorchSharp's format.
/// </summary>
public sealed class StoredWeightsDamageTests : IClassFixture<InteropFixtures>, IDisposable
{
    private readonly InteropFixtures _fixtures;
    private readonly TrainedModel _first;
    private readonly byte[] _weights;
    private readonly string _sha256;

    public StoredWeightsDamageTests(InteropFixtures fixtures)
    {
        _fixtures = fixtures;
        _first = fixtures.Import("adult_mlp.pt");
        using var buffer = new MemoryStream();
        _sha256 = _first.SaveWeights(buffer);
        _weights = buffer.ToArray();
    }

    [Fact]
    public void Load_HalfFile_NamesTruncation()
    {
        byte[] weights = _weights[..(_weights.Length / 2)];

        var error = Assert.Throws<EngineException>(() => TrainedModel.Load(_first.Spec, weights, null, "v1-half.dat"));

        Assert.Equal(EngineErrorKind.DataLoss, error.Kind);
        Assert.Equal("weights", error.Field);
        Assert.Equal(
            $"Model file v1-half.dat could not be read as TorchSharp weights ({weights.Length} bytes): " +
            $"the file ends after {weights.Length} bytes, inside the data of fc1.weight, so it is truncated.",
            error.Message);
    }

    [Fact]
    public void Load_EmptyFile_IsDataLoss()
    {
        var error = Assert.Throws<EngineException>(() => TrainedModel.Load(_first.Spec, [], null, "v1-empty.dat"));

        Assert.Equal(EngineErrorKind.DataLoss, error.Kind);
        Assert.Equal("Model file v1-empty.dat could not be read as TorchSharp weights (0 bytes): the file is empty.", error.Message);
    }

    [Theory]
    [InlineData("half")]
    [InlineData("empty")]
    [InlineData("flipped")]
    public void Load_DamagedWithChecksum_NamesBothHashes(string damage)
    {
        byte[] weights = damage switch
        {
            "half" => _weights[..(_weights.Length / 2)],
            "empty" => [],
            _ => FlipMiddleBytes(_weights),
        };

        var error = Assert.Throws<EngineException>(() => TrainedModel.Load(_first.Spec, weights, _sha256, "v1.dat"));

        Assert.Equal(EngineErrorKind.DataLoss, error.Kind);
        Assert.Equal("weights", error.Field);
        Assert.Contains($"Model file v1.dat is damaged: its SHA-256 is {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights))}, expected {_sha256}", error.Message);
    }

    [Fact]
    public void Load_FlippedWithoutChecksum_PredictsOtherwise()
    {
        // The reason every version stores a SHA-256: TorchSharp reads the flipped bytes as weights without an error.
        using var loaded = TrainedModel.Load(_first.Spec, FlipMiddleBytes(_weights), null, "v1-flipped.dat");

        Assert.NotEqual(_first.PredictLogits(_fixtures.Data.Test), loaded.PredictLogits(_fixtures.Data.Test));
    }

    [Fact]
    public void Load_OtherInputWidth_NamesBothShapes()
    {
        // An encoder fitted on adult-test.csv gives 103 inputs, because that file lacks one category of adult.csv.
        using var other = new TabularModel(103, [64, 32]);
        using var buffer = new MemoryStream();
        other.save(buffer);

        var error = Assert.Throws<EngineException>(() => TrainedModel.Load(_first.Spec, buffer.ToArray(), null, "v1-103.dat"));

        Assert.Equal(EngineErrorKind.DataLoss, error.Kind);
        Assert.Equal("weights", error.Field);
        Assert.Contains("v1-103.dat", error.Message);
        Assert.Contains("fc1.weight [64,103] in the file, [64,104] expected", error.Message);
    }

    [Fact]
    public void Load_PyTorchZip_NamesFormat()
    {
        byte[] pytorch = File.ReadAllBytes(InteropFixtures.PathOf("adult_mlp.pt"));
        Assert.Equal(WeightsFormat.TorchZip, WeightsFile.Detect(pytorch, "adult_mlp.pt"));

        var error = Assert.Throws<EngineException>(() => TrainedModel.Load(_first.Spec, pytorch, null, "adult_mlp.pt"));

        Assert.Equal(EngineErrorKind.DataLoss, error.Kind);
        Assert.Contains("Model file adult_mlp.pt could not be read as TorchSharp weights", error.Message);
        Assert.Contains("it is a zip archive, the format PyTorch's torch.save writes", error.Message);
    }

    [Fact]
    public void Load_ThroughDeflate_PredictsLikeOriginal()
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(_weights);
        compressed.Position = 0;
        using var decompressed = new MemoryStream();
        using (var inflate = new DeflateStream(compressed, CompressionMode.Decompress))
            inflate.CopyTo(decompressed);

        using var loaded = TrainedModel.Load(_first.Spec, decompressed.ToArray(), _sha256, "v1.dat.deflate");

        Assert.Equal(_first.PredictLogits(_fixtures.Data.Test), loaded.PredictLogits(_fixtures.Data.Test));
    }

    public void Dispose() => _first.Dispose();

    /// <summary>Inverts 16 bytes in the middle of the file, which lie in fc1's weights, keeping its length.</summary>
    private static byte[] FlipMiddleBytes(byte[] weights)
    {
        byte[] copy = (byte[])weights.Clone();
        int middle = copy.Length / 2;
        for (int i = middle; i < middle + 16; i++)
            copy[i] ^= 0xFF;
        return copy;
    }
}
