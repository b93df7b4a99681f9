using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// A float64 functional copy of a stack of linear layers with ReLU between them, in which the chosen
/// layers' weights and biases are leaf tensors that require gradients and the others are constants.
/// Influence computations run on it so that the model itself is never touched.
/// </summary>
public sealed class LinearStack : IDisposable
{
    private readonly List<Tensor> _weights;
    private readonly List<Tensor> _biases;

    // The layers before the first chosen one, in the precision they came in: their activations are
    // constants for every derivative here, so computing them as the model does is both exact and faster.
    private readonly List<(Tensor Weight, Tensor Bias)> _prefixLayers;

    /// <summary>Copies the layers of a network; <paramref name="chosen"/> are 0-based layer positions.</summary>
    public LinearStack(TabularModel network, IReadOnlyList<int> chosen)
        : this(
            network.Layers.Select(l => l.weight!.detach()).ToList(),
            network.Layers.Select(l => l.bias!.detach()).ToList(),
            chosen)
    {
    }

    /// <summary>Copies the given layer tensors; weight i has shape [outputs, inputs].</summary>
    public LinearStack(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases, IReadOnlyList<int> chosen)
    {
        if (chosen.Count == 0)
            throw new ArgumentException("At least one layer must be chosen.", nameof(chosen));

        Chosen = chosen.Distinct().Order().ToList();
        _prefixLayers = Enumerable.Range(0, Chosen[0])
            .Select(i => (weights[i].detach().clone(), biases[i].detach().clone()))
            .ToList();
        _weights = [];
        _biases = [];
        for (int i = 0; i < weights.Count; i++)
        {
            bool trainable = Chosen.Contains(i);
            _weights.Add(weights[i].to(float64, copy: true).detach().requires_grad_(trainable));
            _biases.Add(biases[i].to(float64, copy: true).detach().requires_grad_(trainable));
        }

        Parameters = Chosen.SelectMany(i => new[] { _weights[i], _biases[i] }).ToList();
        ParameterCount = Parameters.Sum(p => p.numel());
    }

    /// <summary>Chosen layer positions, ascending.</summary>
    public IReadOnlyList<int> Chosen { get; }

    public int LayerCount => _weights.Count;

    /// <summary>Weight then bias of each chosen layer, in layer order: the order of every flat vector.</summary>
    public IList<Tensor> Parameters { get; }

    public long ParameterCount { get; }

    /// <summary>Rows per chunk of <see cref="Prefix"/>: about 1 MB of float32 activations per chunk for a 64-unit layer.</summary>
    public const long PrefixChunkRows = 4096;

    /// <summary>
    /// Returns the activations entering the first chosen layer, without gradients, as float64. The layers
    /// before it run in the inputs' precision, as the model itself runs them.
    /// </summary>
    /// <remarks>
    /// The rows pass through the layers <see cref="PrefixChunkRows"/> at a time, and each chunk's activations are
    /// changed in place and written straight into the float64 result, so the result is the only large allocation.
    /// New memory costs a page fault per page, which a fresh worker process pays for every whole-batch buffer.
    /// </remarks>
    public Tensor Prefix(Tensor inputs)
    {
        using var noGrad = no_grad();
        if (_prefixLayers.Count == 0)
        {
            using var scope = NewDisposeScope();
            return inputs.to(float64).MoveToOuterDisposeScope();
        }

        long rows = inputs.shape[0];
        var prefix = empty(rows, _prefixLayers[^1].Weight.shape[0], float64);
        for (long start = 0; start < rows; start += PrefixChunkRows)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(PrefixChunkRows, rows - start);
            var hidden = inputs.narrow(0, start, count);
            foreach (var (weight, bias) in _prefixLayers)
                hidden = hidden.matmul(weight.t().to(hidden.dtype)).add_(bias.to(hidden.dtype), Scalars.One).relu_();
            prefix.narrow(0, start, count).copy_(hidden);
        }

        return prefix;
    }

    /// <summary>Returns the logits [rows] computed from the first chosen layer's inputs.</summary>
    public Tensor Logits(Tensor prefix) => Forward(prefix, preActivations: null, layerInputs: null);

    /// <summary>
    /// Runs the layers from the first chosen one, and returns the logits. When the lists are given, it also
    /// collects, for every chosen layer, its pre-activation output and its (detached) input.
    /// </summary>
    public Tensor Forward(Tensor prefix, List<Tensor>? preActivations, List<Tensor>? layerInputs)
    {
        var hidden = prefix;
        for (int i = Chosen[0]; i < _weights.Count; i++)
        {
            var output = hidden.matmul(_weights[i].t()).add(_biases[i], Scalars.One);
            if (Chosen.Contains(i))
            {
                preActivations?.Add(output);
                layerInputs?.Add(hidden.detach());
            }

            hidden = i < _weights.Count - 1 ? nn.functional.relu(output) : output;
        }

        return hidden.squeeze(-1);
    }

    /// <summary>
    /// Returns J v [rows], the directional derivative of the logits along the flat parameter direction
    /// <paramref name="direction"/>, by propagating tangents forward through the layers from the first chosen
    /// one: a linear layer adds h dW^T + db to W t, and ReLU passes the tangent where its input is positive.
    /// </summary>
    public Tensor JacobianVectorProduct(Tensor prefix, Tensor direction)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = Unflatten(direction);
        var hidden = prefix;
        Tensor? tangent = null;
        int part = 0;
        for (int i = Chosen[0]; i < _weights.Count; i++)
        {
            var weight = _weights[i].detach();
            var output = hidden.matmul(weight.t()).add_(_biases[i].detach(), Scalars.One);
            var outputTangent = tangent?.matmul(weight.t());
            if (Chosen.Contains(i))
            {
                var own = hidden.matmul(parts[part].t()).add_(parts[part + 1], Scalars.One);
                part += 2;
                outputTangent = outputTangent is null ? own : outputTangent.add_(own, Scalars.One);
            }

            if (i < _weights.Count - 1)
            {
                var active = output.gt(Scalars.Zero).to(output.dtype);
                hidden = nn.functional.relu(output);
                tangent = outputTangent is null ? null : outputTangent * active;
            }
            else
            {
                tangent = outputTangent;
            }
        }

        return tangent!.squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Concatenates per-parameter tensors into one flat vector in <see cref="Parameters"/> order.</summary>
    public static Tensor Flatten(IEnumerable<Tensor> parts) => cat(parts.Select(p => p.reshape(-1)).ToList(), 0);

    /// <summary>Splits a flat vector into tensors shaped like <see cref="Parameters"/>.</summary>
    public IReadOnlyList<Tensor> Unflatten(Tensor flat)
    {
        var parts = new List<Tensor>();
        long offset = 0;
        foreach (var parameter in Parameters)
        {
            long size = parameter.numel();
            parts.Add(flat.narrow(0, offset, size).reshape(parameter.shape));
            offset += size;
        }

        return parts;
    }

    /// <summary>Returns the chosen parameters as one flat float64 vector, without gradients.</summary>
    public Tensor FlatParameters()
    {
        using var noGrad = no_grad();
        return Flatten(Parameters.Select(p => p.detach()));
    }

    /// <summary>Returns the weight and bias of layer <paramref name="index"/> (0-based).</summary>
    public (Tensor Weight, Tensor Bias) Layer(int index) => (_weights[index], _biases[index]);

    public void Dispose()
    {
        foreach (var tensor in _weights.Concat(_biases))
            tensor.Dispose();
        foreach (var (weight, bias) in _prefixLayers)
        {
            weight.Dispose();
            bias.Dispose();
        }
    }
}
