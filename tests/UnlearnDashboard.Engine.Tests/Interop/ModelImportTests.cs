using UnlearnDashboard.Engine.Interop;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using Xunit.Abstractions;

namespace UnlearnDashboard.Engine.Tests.Interop;

public sealed class ModelImportTests(InteropFixtures fixtures, ITestOutputHelper output) : IClassFixture<InteropFixtures>
{
    /// <summary>Largest difference allowed between PyTorch's logits and the engine's, in logit units.</summary>
    private const double Tolerance = 1e-5;

    /// <summary>
    /// Largest difference allowed between two runs of the same weights: TorchSharp's CPU kernels do not promise
    /// bit-identical float32 sums from run to run, and one run on a loaded machine differed by 3e-8.
    /// </summary>
    private const double SameWeightsTolerance = 1e-6;

    [Theory]
    [InlineData("adult_mlp.pt")]
    [InlineData("adult_mlp.safetensors")]
    public void Import_TorchFile_MatchesTorchPredictions(string file)
    {
        using var model = fixtures.Import(file);

        float[] logits = model.PredictLogits(fixtures.Rows);

        Assert.Equal(fixtures.TorchLogits.Length, logits.Length);
        double largest = fixtures.TorchLogits.Zip(logits, (torch, engine) => Math.Abs(torch - engine)).Max();
        output.WriteLine($"{file}: largest difference from PyTorch's logits {largest:E2}");
        AssertClose(fixtures.TorchLogits, logits);
        Assert.Equal(["fc1", "fc2", "fc3"], model.Network.LayerNames);
        Assert.Equal(104, model.Network.InputCount);
    }

    [Fact]
    public void Import_WholePickledModel_IsRejected()
    {
        var error = Assert.Throws<EngineException>(() => fixtures.Import("adult_mlp_whole.pt"));

        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("weights", error.Field);
        Assert.Contains("whole pickled model", error.Message);
        Assert.Contains("__main__.AdultMlp", error.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", error.Message);
    }

    [Fact]
    public void Import_LegacyPickle_IsRejected()
    {
        // Protocol 2 pickle of an empty dict, the first bytes of torch.save's legacy (non-zip) format.
        byte[] legacy = [0x80, 0x02, 0x7D, 0x71, 0x00, 0x2E];

        var error = Assert.Throws<EngineException>(() =>
            ModelInterop.Import(InteropSpec.Parse(fixtures.SpecJson), legacy, "legacy.pt", fixtures.Data));

        Assert.Equal("weights", error.Field);
        Assert.Contains("legacy.pt is a bare pickle", error.Message);
    }

    [Fact]
    public void Import_WrongInputWidth_NamesFirstMismatch()
    {
        var error = Assert.Throws<EngineException>(() => fixtures.Import("adult_mlp_103.pt"));

        Assert.Equal("weights", error.Field);
        Assert.Contains("fc1.weight [64,103] in the file, [64,104] expected", error.Message);
    }

    [Fact]
    public void Import_FewerHiddenLayers_NamesMismatch()
    {
        string spec = fixtures.SpecJson.Replace("\"hidden\": [\n    64,\n    32\n  ]", "\"hidden\": [64]");
        Assert.NotEqual(fixtures.SpecJson, spec);

        var error = Assert.Throws<EngineException>(() => fixtures.Import("adult_mlp.pt", spec));

        Assert.Contains("fc2.weight [32,64] in the file, [1,64] expected", error.Message);
    }

    [Fact]
    public void Import_UnsupportedActivation_IsRejected()
    {
        string spec = fixtures.SpecJson.Replace("\"activation\": \"relu\"", "\"activation\": \"tanh\"");

        var error = Assert.Throws<EngineException>(() => fixtures.Import("adult_mlp.pt", spec));

        Assert.Equal("spec_json", error.Field);
        Assert.Contains("activation 'tanh' is not supported", error.Message);
    }

    [Fact]
    public void Import_UnknownColumn_NamesColumnAndIndex()
    {
        string spec = fixtures.SpecJson.Replace("\"name\": \"fnlwgt\"", "\"name\": \"final-weight\"");

        var error = Assert.Throws<EngineException>(() => fixtures.Import("adult_mlp.pt", spec));

        Assert.Equal("spec_json", error.Field);
        Assert.Contains("preprocessing.columns[2] names column 'final-weight'", error.Message);
    }

    [Fact]
    public void Import_ZeroStd_NamesField()
    {
        var parsed = InteropSpec.Parse(fixtures.SpecJson);
        var columns = parsed.Preprocessing!.Columns.ToList();
        columns[0] = columns[0] with { Std = 0 };
        string spec = (parsed with { Preprocessing = new InteropPreprocessing { Columns = columns } }).ToJson();

        var error = Assert.Throws<EngineException>(() => InteropSpec.Parse(spec));

        Assert.Contains("preprocessing.columns[0].std of numeric column 'age' must be a positive finite number; got 0", error.Message);
    }

    [Fact]
    public void Import_MisspelledField_NamesJsonPath()
    {
        string spec = fixtures.SpecJson.Replace("\"hidden\"", "\"hiden\"");

        var error = Assert.Throws<EngineException>(() => InteropSpec.Parse(spec));

        Assert.Equal("spec_json", error.Field);
        Assert.Contains("hiden", error.Message);
    }

    [Theory]
    [InlineData("[100000,100000]", "needs 40000000000 bytes, but its data has 16")]
    [InlineData("[-2,2]", "is not a list of sizes")]
    [InlineData("[4611686018427387904,4]", "is not a list of sizes")]
    public void Read_SafetensorsShapeBeyondData_NamesTensorWithoutAllocating(string shape, string expected)
    {
        string header = $"{{\"fc1.weight\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,16]}}}}";
        byte[] headerBytes = System.Text.Encoding.UTF8.GetBytes(header);
        byte[] bytes = [.. BitConverter.GetBytes((ulong)headerBytes.Length), .. headerBytes, .. new byte[16]];

        var error = Assert.Throws<EngineException>(() => WeightsFile.Read(bytes, "forged.safetensors"));

        Assert.Contains("Tensor fc1.weight in forged.safetensors", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("frame #", error.Message);
    }

    [Fact]
    public void Import_TruncatedSafetensors_IsRejected()
    {
        byte[] bytes = File.ReadAllBytes(InteropFixtures.PathOf("adult_mlp.safetensors"));

        var error = Assert.Throws<EngineException>(() =>
            ModelInterop.Import(InteropSpec.Parse(fixtures.SpecJson), bytes[..(bytes.Length / 2)], "half.safetensors", fixtures.Data));

        Assert.Equal("weights", error.Field);
        Assert.Contains("half.safetensors", error.Message);
    }

    [Fact]
    public void Debias_ImportedModel_ExportReloadsWithSamePredictions()
    {
        using var imported = fixtures.Import("adult_mlp.pt");
        var options = new DebiasOptions { Method = DebiasMethod.InfluenceNewton };

        using var outcome = DebiasPipeline.Run(imported, fixtures.Data, options, null, CancellationToken.None);
        var export = ModelInterop.Export(outcome.UpdatedModel, fixtures.Data.Definition);
        using var reloaded = ModelInterop.Import(InteropSpec.Parse(export.SpecJson), export.Safetensors, "export.safetensors", fixtures.Data);

        double before = outcome.Before.DemographicParityDifference!.Value;
        double after = outcome.After.DemographicParityDifference!.Value;
        Assert.True(after < before, $"demographic parity difference {before:F4} -> {after:F4}");
        float[] updated = outcome.UpdatedModel.PredictLogits(fixtures.Rows);
        AssertSameWeights(outcome.UpdatedModel, reloaded);
        AssertClose(updated.Select(v => (double)v).ToArray(), reloaded.PredictLogits(fixtures.Rows), SameWeightsTolerance);
        Assert.NotEqual(imported.PredictLogits(fixtures.Rows), updated);
        Assert.Equal(WeightsFormat.Safetensors, WeightsFile.Detect(export.Safetensors, "export"));
        Assert.Contains("\"label_column\": \"income\"", export.SpecJson);
    }

    [Fact]
    public void Export_ImportedModel_KeepsSpec()
    {
        using var imported = fixtures.Import("adult_mlp.safetensors");

        var export = ModelInterop.Export(imported, null);

        var original = InteropSpec.Parse(fixtures.SpecJson);
        var exported = InteropSpec.Parse(export.SpecJson);
        Assert.Equal(original.Hidden, exported.Hidden);
        Assert.Equal(original.Preprocessing!.Columns.Count, exported.Preprocessing!.Columns.Count);
        for (int i = 0; i < original.Preprocessing.Columns.Count; i++)
        {
            var expected = original.Preprocessing.Columns[i];
            var actual = exported.Preprocessing.Columns[i];
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.Mean, actual.Mean);
            Assert.Equal(expected.Std, actual.Std);
            Assert.Equal(expected.Categories ?? [], actual.Categories ?? []);
        }
    }

    [Fact]
    public void Export_TrainedModel_ReimportsWithSamePredictions()
    {
        var settings = new ModelSettings { Epochs = 1, ExcludeSensitiveFeature = true };
        using var trained = ModelTrainer.Train(fixtures.Data, settings, null, null, CancellationToken.None);

        var export = ModelInterop.Export(trained, fixtures.Data.Definition);
        using var reimported = ModelInterop.Import(InteropSpec.Parse(export.SpecJson), export.Safetensors, "trained.safetensors", fixtures.Data);

        AssertSameWeights(trained, reimported);
        AssertClose(trained.PredictLogits(fixtures.Rows).Select(v => (double)v).ToArray(), reimported.PredictLogits(fixtures.Rows), SameWeightsTolerance);
        Assert.True(reimported.Spec.Settings.ExcludeSensitiveFeature);
        Assert.DoesNotContain(reimported.Spec.EncoderColumns, c => c.Name == "sex");
        Assert.Equal(trained.Spec.Layers, reimported.Spec.Layers);
    }

    [Fact]
    public void Export_LogisticRegression_RoundTrips()
    {
        var settings = new ModelSettings { Architecture = Architecture.LogisticRegression, Epochs = 1 };
        using var trained = ModelTrainer.Train(fixtures.Data, settings, null, null, CancellationToken.None);

        var export = ModelInterop.Export(trained, fixtures.Data.Definition);
        var spec = InteropSpec.Parse(export.SpecJson);
        using var reimported = ModelInterop.Import(spec, export.Safetensors, "lr.safetensors", fixtures.Data);

        Assert.Equal("logistic-regression", spec.Architecture);
        Assert.Empty(spec.Hidden);
        Assert.Equal(["fc1"], reimported.Network.LayerNames);
        AssertSameWeights(trained, reimported);
        AssertClose(trained.PredictLogits(fixtures.Rows).Select(v => (double)v).ToArray(), reimported.PredictLogits(fixtures.Rows), SameWeightsTolerance);
    }

    [Fact]
    public void Import_Float64Safetensors_ConvertsToFloat32()
    {
        using var imported = fixtures.Import("adult_mlp.pt");
        var tensors = imported.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(TorchSharp.torch.float64));
        byte[] bytes = WeightsFile.WriteSafetensors(tensors);
        WeightsFile.DisposeAll(tensors.Values);

        using var reimported = ModelInterop.Import(InteropSpec.Parse(fixtures.SpecJson), bytes, "f64.safetensors", fixtures.Data);

        AssertClose(fixtures.TorchLogits, reimported.PredictLogits(fixtures.Rows));
    }

    [Fact]
    public void Import_WeightsOverflowingFloat32_IsRejected()
    {
        using var imported = fixtures.Import("adult_mlp.pt");
        var tensors = imported.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        tensors["fc3.weight"].fill_(3e38f);
        byte[] bytes = WeightsFile.WriteSafetensors(tensors);
        WeightsFile.DisposeAll(tensors.Values);

        var error = Assert.Throws<EngineException>(() => ModelInterop.Import(InteropSpec.Parse(fixtures.SpecJson), bytes, "huge.safetensors", fixtures.Data));

        Assert.Equal("weights", error.Field);
        Assert.Contains("gives non-finite outputs on", error.Message);
        Assert.Contains("huge.safetensors", error.Message);
    }

    [Fact]
    public void Import_MissingTensor_NamesIt()
    {
        using var imported = fixtures.Import("adult_mlp.pt");
        var tensors = imported.Network.state_dict().Where(p => p.Key != "fc3.bias").ToDictionary(p => p.Key, p => p.Value.detach().clone());
        byte[] bytes = WeightsFile.WriteSafetensors(tensors);
        WeightsFile.DisposeAll(tensors.Values);

        var error = Assert.Throws<EngineException>(() => ModelInterop.Import(InteropSpec.Parse(fixtures.SpecJson), bytes, "partial.safetensors", fixtures.Data));

        Assert.Contains("fc3.bias [1] is expected but missing from partial.safetensors", error.Message);
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= tolerance, $"row {i}: expected logit {expected[i]:R}, engine {actual[i]:R}, difference {difference:E2}");
        }
    }

    /// <summary>Asserts that two models have the same parameter names and bit-identical values.</summary>
    private static void AssertSameWeights(TrainedModel expected, TrainedModel actual)
    {
        var actualWeights = actual.Network.state_dict();
        foreach (var (name, parameter) in expected.Network.state_dict())
        {
            Assert.True(actualWeights.ContainsKey(name), $"{name} is missing");
            Assert.True(parameter.data<float>().ToArray().SequenceEqual(actualWeights[name].data<float>().ToArray()), $"{name} differs");
        }

        Assert.Equal(expected.Network.state_dict().Count, actualWeights.Count);
    }
}
