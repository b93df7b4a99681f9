using TorchSharp;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Influence;

/// <summary>Outcome of a linear solve: the solution, the iterations used and the final relative residual.</summary>
public sealed record SolveResult(Tensor Solution, int Iterations, double RelativeResidual);

/// <summary>
/// Solves A x = b for a symmetric positive definite A given only as a matrix-vector product, in the
/// precision of <paramref name="b"/> (float64 here).
/// </summary>
public static class ConjugateGradient
{
    /// <summary>
    /// Runs conjugate gradients from x = 0 until ||b - A x|| / ||b|| is at most <paramref name="tolerance"/>
    /// or <paramref name="maxIterations"/> pass. Throws when a search direction has no positive curvature,
    /// which means A is singular or indefinite there and needs damping.
    /// </summary>
    public static SolveResult Solve(
        Func<Tensor, Tensor> multiply,
        Tensor b,
        double tolerance,
        int maxIterations,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        double bNorm = b.norm().item<double>();
        if (bNorm == 0)
            return new SolveResult(zeros_like(b).MoveToOuterDisposeScope(), 0, 0);

        var x = zeros_like(b);
        var r = b.clone();
        var p = r.clone();
        double rr = r.dot(r).item<double>();
        int iteration = 0;

        while (Math.Sqrt(rr) / bNorm > tolerance && iteration < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            var ap = multiply(p);
            double curvature = p.dot(ap).item<double>();
            if (!(curvature > 1e-14 * p.dot(p).item<double>()))
            {
                throw EngineException.Precondition("damping",
                    $"The damped Hessian is singular or indefinite (curvature {curvature:G3} along a search direction at "
                    + $"iteration {iteration + 1}). Raise the damping lambda, leave it unset so that the damping rule "
                    + "chooses it, or use the Gauss-Newton curvature.");
            }

            double alpha = rr / curvature;
            using (var stepLength = alpha.ToScalar())
                x.add_(p, stepLength);
            using (var negativeStepLength = (-alpha).ToScalar())
                r.add_(ap, negativeStepLength);

            double rrNext = r.dot(r).item<double>();
            using (var beta = (rrNext / rr).ToScalar())
                p.mul_(beta).add_(r, Scalars.One);
            rr = rrNext;
            iteration++;
        }

        // The recursive residual drifts from the true one in floating point, so report the true residual.
        double residual;
        using (var check = NewDisposeScope())
            residual = (b - multiply(x)).norm().item<double>() / bNorm;

        return new SolveResult(x.MoveToOuterDisposeScope(), iteration, residual);
    }
}
