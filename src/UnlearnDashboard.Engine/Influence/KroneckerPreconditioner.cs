using TorchSharp;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>
/// A block-diagonal preconditioner for the damped Gauss-Newton matrix, one block per chosen layer, by the
/// eigenvalue-corrected Kronecker factorisation (EK-FAC) of George, Laurent, Bouthillier, Ballas and Vincent,
/// "Fast Approximate Natural Gradient Descent in a Kronecker Factored Eigenbasis", NeurIPS 2018.
/// </summary>
/// <remarks>
/// A layer's Gauss-Newton block is sum over rows of w (delta delta^T) kron (a a^T), with a the layer input
/// extended by a 1 for the bias and delta the logit's gradient with respect to the layer output. K-FAC replaces it
/// by S kron A with S = sum of w delta delta^T and A = mean of a a^T. EK-FAC keeps the eigenvectors Q_S and Q_A of
/// those factors but replaces their eigenvalue products by the block's exact diagonal in that basis,
/// sum of w (Q_S^T delta)^2 (Q_A^T a)^2. The damped inverse of a block is then Q (D + lambda)^-1 Q^T with
/// Q = Q_S kron Q_A. It approximates only the preconditioner: the solve still runs against the true matrix.
/// </remarks>
internal sealed class KroneckerPreconditioner : IDisposable
{
    private readonly LinearStack _stack;
    private readonly List<Tensor> _outputBases = [];
    private readonly List<Tensor> _inputBases = [];
    private readonly List<Tensor> _eigenvalues = [];

    public KroneckerPreconditioner(LinearStack stack, GaussNewtonFactors factors)
    {
        _stack = stack;
        using var noGrad = no_grad();
        using var rows = factors.Weights.shape[0].ToScalar();
        var column = factors.Weights.unsqueeze(1);
        for (int layer = 0; layer < factors.LayerInputs.Count; layer++)
        {
            using var scope = NewDisposeScope();
            var input = factors.LayerInputs[layer];
            var extended = cat([input, ones(input.shape[0], 1, float64)], 1);
            var delta = factors.OutputGradients[layer];

            var inputFactor = extended.t().matmul(extended).div_(rows);
            var outputFactor = delta.t().matmul(delta * column);
            var (_, inputBasis) = linalg.eigh(inputFactor);
            var (_, outputBasis) = linalg.eigh(outputFactor);

            var projectedInput = extended.matmul(inputBasis);
            var projectedDelta = delta.matmul(outputBasis);
            var eigenvalues = projectedDelta.mul(projectedDelta).mul_(column).t()
                .matmul(projectedInput.mul(projectedInput));

            // The fields outlive any dispose scope of the caller, so they leave it; Dispose frees them.
            _inputBases.Add(inputBasis.DetachFromDisposeScope());
            _outputBases.Add(outputBasis.DetachFromDisposeScope());
            _eigenvalues.Add(eigenvalues.DetachFromDisposeScope());
        }
    }

    /// <summary>Returns (B + lambda I)^-1 r for the block-diagonal approximation B, flat in <see cref="LinearStack.Parameters"/> order.</summary>
    public Tensor Apply(Tensor residual, double damping)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var lambda = damping.ToScalar();
        var parts = _stack.Unflatten(residual);
        var result = new List<Tensor>();
        for (int layer = 0; layer < _eigenvalues.Count; layer++)
        {
            // The weight [outputs, inputs] and the bias [outputs] side by side form the [outputs, inputs + 1]
            // matrix whose row-major flattening matches the Kronecker order of delta kron a.
            var weight = parts[2 * layer];
            var block = cat([weight, parts[2 * layer + 1].unsqueeze(1)], 1);
            var rotated = _outputBases[layer].t().matmul(block).matmul(_inputBases[layer]);
            rotated.div_(_eigenvalues[layer].add(lambda, Scalars.One));
            var solved = _outputBases[layer].matmul(rotated).matmul(_inputBases[layer].t());
            long inputs = weight.shape[1];
            result.Add(solved.narrow(1, 0, inputs));
            result.Add(solved.narrow(1, inputs, 1).squeeze(1));
        }

        return LinearStack.Flatten(result).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var tensor in _outputBases.Concat(_inputBases).Concat(_eigenvalues))
            tensor.Dispose();
    }
}
