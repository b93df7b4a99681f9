using TorchSharp;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Numerics;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Unlearning;

/// <summary>
/// One-step influence updates of the chosen layers: removal of a set R, replacement of each z in R by its
/// counterfactual, and either one restricted to a mask of weights.
/// </summary>
internal static class NewtonUpdates
{
    /// <summary>
    /// Returns the step (1/n) (H + lambda I)^-1 [removeWeight sum over R of grad L(z) - addWeight sum over R of
    /// grad L(z_cf)]. Weights 1 and 0 give classic removal, 1 and 1 replacement of z by z_cf. With a
    /// <paramref name="mask"/> (1 for weights that may change, 0 otherwise) the system is solved on the masked
    /// coordinates only, (M H M + lambda I) x = M b, so every unmasked coordinate of the step is exactly 0.
    /// </summary>
    public static SolveResult Step(
        InfluenceProblem problem,
        Tensor removedInputs,
        Tensor removedLabels,
        Tensor? counterfactualInputs,
        double removeWeight,
        double addWeight,
        Tensor? mask,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        using var removeScale = removeWeight.ToScalar();
        using var addScale = (-addWeight).ToScalar();
        using var damping = problem.Damping.ToScalar();
        using var trainCount = problem.TrainCount.ToScalar();

        var sum = problem.SumOfGradients(removedInputs, removedLabels, cancellationToken).mul_(removeScale);
        if (counterfactualInputs is not null && addWeight != 0)
            sum.add_(problem.SumOfGradients(counterfactualInputs, removedLabels, cancellationToken), addScale);

        SolveResult solved;
        if (mask is null)
        {
            solved = problem.Solve(sum, cancellationToken);
        }
        else
        {
            var maskedTarget = sum * mask;
            Tensor MaskedProduct(Tensor v)
            {
                using var product = NewDisposeScope();
                return (problem.HessianVectorProduct(v * mask) * mask).add_(v, damping).MoveToOuterDisposeScope();
            }

            int maxIterations = (int)Math.Min(Math.Max(100, 4 * problem.Stack.ParameterCount), 2000);
            solved = ConjugateGradient.Solve(MaskedProduct, maskedTarget, 1e-10, maxIterations, cancellationToken);
        }

        var step = solved.Solution.div_(trainCount);
        return (solved with { Solution = step }).MoveSolutionOut();
    }

    private static SolveResult MoveSolutionOut(this SolveResult result)
    {
        result.Solution.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>
    /// Adds a flat float64 step, solved by <paramref name="problem"/> at its damping, to the chosen layers of
    /// <paramref name="model"/>, in float32. Throws FAILED_PRECONDITION naming <c>damping</c> when the step leaves a
    /// weight, or a logit on <paramref name="trainInputs"/>, NaN or infinite.
    /// </summary>
    public static void ApplyStep(TrainedModel model, InfluenceProblem problem, Tensor step, Tensor trainInputs)
    {
        var stack = problem.Stack;
        AddStep(model, stack, step);

        // The layers before the first chosen one did not change, so the logits start from the problem's copy of their
        // output on the training rows when it has one.
        var prefix = problem.TrainPrefix;
        double damping = problem.Damping;
        DivergenceCheck.ThrowIfDiverged(model, stack.Chosen, prefix ?? trainInputs, "damping", damping.ToString("R"),
            $"The Newton step at damping {damping:G3}", "Set a larger damping.", prefix is null ? 0 : stack.Chosen[0]);
    }

    private static void AddStep(TrainedModel model, LinearStack stack, Tensor step)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = stack.Unflatten(step);
        int part = 0;
        foreach (int layer in stack.Chosen)
        {
            var linear = model.Network.Layers[layer];
            linear.weight!.add_(parts[part++].to(float32), Scalars.One);
            linear.bias!.add_(parts[part++].to(float32), Scalars.One);
        }
    }

    /// <summary>
    /// Damped Newton iterations on the mean loss over the retained samples plus lambda/2 ||theta - theta0||^2,
    /// from theta0; returns the steps taken.
    /// </summary>
    public static int NewtonOnRetained(
        TrainedModel updated,
        IReadOnlyList<int> layers,
        int maxSteps,
        double damping,
        Pipeline.CurvatureKind curvature,
        Tensor inputs,
        Tensor labels,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        using var dampingScale = damping.ToScalar();
        using var anchor = new LinearStack(updated.Network, layers);
        var theta0 = anchor.FlatParameters();

        for (int step = 1; step <= maxSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            using var stack = new LinearStack(updated.Network, layers);
            using var problem = new InfluenceProblem(stack, inputs, labels, damping, curvature: curvature);
            var theta = stack.FlatParameters();
            var gradient = problem.Gradient.add(theta - theta0, dampingScale);
            var newtonStep = problem.Solve(gradient, cancellationToken).Solution.neg();
            AddStep(updated, stack, newtonStep);
            DivergenceCheck.ThrowIfDiverged(updated, layers, inputs, "newton_steps", maxSteps.ToString(),
                $"Newton step {step} of {maxSteps} at damping {damping:G3}", "Use fewer newton_steps, or a larger damping.");

            // Stop once the step is negligible next to the parameters: the iteration has converged.
            if (newtonStep.norm().item<double>() <= 1e-8 * (1 + theta.norm().item<double>()))
                return step;
        }

        return maxSteps;
    }
}
