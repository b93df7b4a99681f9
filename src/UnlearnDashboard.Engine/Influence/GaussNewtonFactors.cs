using TorchSharp;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// The per-row factors of the logit's Jacobian over the chosen layers of a <see cref="LinearStack"/>, and the
/// Gauss-Newton product J^T diag(w) J v computed from them with plain matrix products, in float64.
/// </summary>
/// <remarks>
/// For a linear layer with input a and output o, the logit's gradient with respect to the weight is
/// delta a^T and with respect to the bias delta, where delta = d logit / d o depends only on the row and the
/// fixed parameters. So J v = sum over layers of delta^T (dW a + db), and J^T u gives dW = (u delta)^T a and
/// db = delta^T u. With a and delta cached once, a product costs two matrix products per layer and builds no
/// autograd graph.
/// </remarks>
internal sealed class GaussNewtonFactors : IDisposable
{
    private readonly LinearStack _stack;
    private readonly List<Tensor> _inputs;
    private readonly List<Tensor> _deltas;
    private readonly Tensor _weights;

    /// <summary>
    /// Computes every chosen layer's input and the logit's gradient with respect to its output, on the rows given
    /// by <paramref name="prefix"/> (the first chosen layer's inputs). <paramref name="weights"/> are the rows'
    /// curvature weights w, p (1 - p) / n for the mean logistic loss. The instance keeps its own reference.
    /// </summary>
    public GaussNewtonFactors(LinearStack stack, Tensor prefix, Tensor weights)
    {
        _stack = stack;
        // The fields outlive any dispose scope of the caller, so they leave it, and Dispose frees them.
        _weights = weights.detach().DetachFromDisposeScope();
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        var inputs = new List<Tensor>();
        var logits = stack.Forward(prefix, outputs, inputs);

        // Each row's logit depends only on that row, so the gradient of their sum gives every row's delta at once.
        var deltas = autograd.grad([logits.sum()], outputs);
        _inputs = inputs.Select(input => input.detach().DetachFromDisposeScope()).ToList();
        _deltas = deltas.Select(delta => delta.detach().DetachFromDisposeScope()).ToList();
    }

    /// <summary>Returns J v [rows] for a flat direction <paramref name="vector"/> in <see cref="LinearStack.Parameters"/> order.</summary>
    public Tensor JacobianVectorProduct(Tensor vector)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = _stack.Unflatten(vector);
        Tensor? sum = null;
        for (int layer = 0; layer < _inputs.Count; layer++)
        {
            var layerTangent = _inputs[layer].matmul(parts[2 * layer].t())
                .add_(parts[2 * layer + 1], Scalars.One)
                .mul_(_deltas[layer])
                .sum(dim: 1);
            sum = sum is null ? layerTangent : sum.add_(layerTangent, Scalars.One);
        }

        return sum!.MoveToOuterDisposeScope();
    }

    /// <summary>Returns J^T u, flat in <see cref="LinearStack.Parameters"/> order, for one value u per row.</summary>
    public Tensor TransposedJacobianProduct(Tensor rowValues)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        var column = rowValues.unsqueeze(1);
        for (int layer = 0; layer < _inputs.Count; layer++)
        {
            var scaled = _deltas[layer] * column;
            parts.Add(scaled.t().matmul(_inputs[layer]));
            parts.Add(scaled.sum(dim: 0));
        }

        return LinearStack.Flatten(parts).MoveToOuterDisposeScope();
    }

    /// <summary>Returns the Gauss-Newton product J^T diag(w) J v.</summary>
    public Tensor Product(Tensor vector)
    {
        using var scope = NewDisposeScope();
        var rowValues = JacobianVectorProduct(vector).mul_(_weights);
        return TransposedJacobianProduct(rowValues).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var tensor in _inputs.Concat(_deltas))
            tensor.Dispose();
        _weights.Dispose();
    }
}
