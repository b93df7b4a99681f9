using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Interop;

/// <summary>An exported model version: safetensors weights and the JSON spec with its preprocessing.</summary>
public sealed record ModelExport(byte[] Safetensors, string SpecJson);

/// <summary>Builds engine models from PyTorch or safetensors weights and writes engine models as safetensors.</summary>
public static class ModelInterop
{
    /// <summary>
    /// Imports weights described by a spec for a dataset. Every tensor that the spec's layers need must be in
    /// the file with its exact shape, and the file must hold no other tensor; the first difference is named,
    /// for example <c>fc1.weight [64,103] in the file, [64,104] expected</c>. Floating-point tensors of any
    /// precision are converted to float32.
    /// </summary>
    /// <exception cref="EngineException">Invalid argument on <c>spec_json</c> or <c>weights</c>.</exception>
    public static TrainedModel Import(InteropSpec spec, byte[] weights, string source, PreparedDataset data)
    {
        var modelSpec = spec.ToModelSpec(data);
        var tensors = WeightsFile.Read(weights, source);
        try
        {
            CheckTensors(tensors, modelSpec, source);
            var network = TrainedModel.CreateNetwork(modelSpec);
            try
            {
                using (no_grad())
                {
                    foreach (var (name, parameter) in network.state_dict())
                    {
                        using var value = tensors[name].to_type(float32);
                        parameter.copy_(value);
                    }
                }

                network.eval();
                var model = new TrainedModel(modelSpec, network);
                CheckFiniteOutputs(model, data, source);
                return model;
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
        finally
        {
            WeightsFile.DisposeAll(tensors.Values);
        }
    }

    /// <summary>
    /// Rejects a model whose logits on the validation split are not all finite, as happens with weights near
    /// float32's limit or a spec whose standard deviations are tiny: every metric of such a model is meaningless.
    /// </summary>
    private static void CheckFiniteOutputs(TrainedModel model, PreparedDataset data, string source)
    {
        float[] logits = model.PredictLogits(data.Validation);
        int bad = logits.Count(l => !float.IsFinite(l));
        if (bad == 0)
            return;

        int first = Array.FindIndex(logits, l => !float.IsFinite(l));
        throw EngineException.Invalid("weights",
            $"The model from {source} gives non-finite outputs on {bad} of {logits.Length} validation rows (first: row {data.Validation.RowIds[first]}, "
            + $"output {logits[first]}). Check the weights and the spec's means and standard deviations.");
    }

    /// <summary>Exports a model as float32 safetensors (names <c>fc1.weight</c>, <c>fc1.bias</c>, ...) and its spec.</summary>
    public static ModelExport Export(TrainedModel model, DatasetDefinition? dataset)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using (no_grad())
            {
                foreach (var (name, parameter) in model.Network.state_dict())
                    tensors[name] = parameter.detach().cpu().contiguous().clone();
            }

            byte[] bytes = WeightsFile.WriteSafetensors(tensors);
            return new ModelExport(bytes, InteropSpec.FromModelSpec(model.Spec, dataset).ToJson());
        }
        finally
        {
            WeightsFile.DisposeAll(tensors.Values);
        }
    }

    private static void CheckTensors(Dictionary<string, Tensor> tensors, ModelSpec spec, string source)
    {
        foreach (var layer in spec.Layers)
        {
            CheckTensor(tensors, $"{layer.Name}.weight", [layer.Outputs, layer.Inputs], source, spec);
            CheckTensor(tensors, $"{layer.Name}.bias", [layer.Outputs], source, spec);
        }

        var expected = spec.Layers.SelectMany(l => new[] { $"{l.Name}.weight", $"{l.Name}.bias" }).ToHashSet(StringComparer.Ordinal);
        var extra = tensors.Keys.Where(k => !expected.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
        {
            throw EngineException.Invalid("weights",
                $"{source} has tensors that the spec's {spec.Layers.Count} layers do not use: {string.Join(", ", extra.Take(10))}" +
                $"{(extra.Count > 10 ? $" and {extra.Count - 10} more" : "")}. The spec's hidden widths [{string.Join(", ", spec.Settings.EffectiveHidden)}] " +
                $"give layers {string.Join(", ", spec.Layers.Select(l => l.Name))}.",
                extra[0]);
        }
    }

    private static void CheckTensor(Dictionary<string, Tensor> tensors, string name, long[] shape, string source, ModelSpec spec)
    {
        if (!tensors.TryGetValue(name, out var tensor))
        {
            throw EngineException.Invalid("weights",
                $"{name} {Shape(shape)} is expected but missing from {source}, which has {string.Join(", ", tensors.Keys.Order(StringComparer.Ordinal).Take(10))}. " +
                "The engine names its layers fc1..fcN; rename the module's layers or the state dict's keys to match.",
                name);
        }

        if (!tensor.shape.SequenceEqual(shape))
        {
            string reason = name == "fc1.weight"
                ? $" The spec's preprocessing gives {spec.Layers[0].Inputs} inputs."
                : "";
            throw EngineException.Invalid("weights",
                $"{name} {Shape(tensor.shape)} in the file, {Shape(shape)} expected.{reason}",
                name);
        }

        if (!tensor.is_floating_point())
            throw EngineException.Invalid("weights", $"{name} in {source} has dtype {tensor.dtype}; weights must be floating point.", name);

        using var finite = tensor.isfinite().all();
        if (!finite.item<bool>())
            throw EngineException.Invalid("weights", $"{name} in {source} contains NaN or infinite values.", name);
    }

    private static string Shape(IEnumerable<long> shape) => $"[{string.Join(",", shape)}]";
}
