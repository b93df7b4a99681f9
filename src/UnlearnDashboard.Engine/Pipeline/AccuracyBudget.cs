using TorchSharp;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Pipeline;

/// <summary>
/// How an update was held to the request's largest accuracy loss: validation accuracy before and after, and the
/// share of the update that was kept.
/// </summary>
/// <param name="MaxAccuracyLoss">The budget: the largest drop in validation accuracy allowed.</param>
/// <param name="StepScale">
/// Share of the update applied: 1 for the whole update, or the largest of 1/2, 1/4, 1/8 and 1/16 that kept the
/// drop within the budget.
/// </param>
public sealed record AccuracyBudgetResult(double MaxAccuracyLoss, double ValidationAccuracyBefore, double ValidationAccuracyAfter, double StepScale);

/// <summary>
/// Holds an update to a largest loss of validation accuracy. When the whole update loses more, it moves every
/// parameter back along the straight line to the base model, theta0 + s (theta1 - theta0), halving s from 1 to
/// 1/16, and keeps the largest s within the budget. The line works for every method, because it needs only the
/// two models. Validation is used, not test, so that the test split stays untouched for the reported metrics.
/// </summary>
internal static class AccuracyBudget
{
    private static readonly double[] Scales = [1, 0.5, 0.25, 0.125, 0.0625];

    /// <summary>
    /// Scales <paramref name="updated"/>'s change from <paramref name="model"/> in place until its validation
    /// accuracy drop is at most <paramref name="maxAccuracyLoss"/>. Throws a failed precondition on
    /// <c>max_accuracy_loss</c> when even the smallest share loses more.
    /// </summary>
    public static AccuracyBudgetResult Apply(
        TrainedModel model,
        TrainedModel updated,
        PreparedDataset data,
        double maxAccuracyLoss,
        CancellationToken cancellationToken)
    {
        double before = ValidationAccuracy(model, data);
        using var scope = NewDisposeScope();
        var changes = Changes(model, updated);

        double after = double.NaN;
        foreach (double scale in Scales)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (scale < 1)
                MoveAlongChange(model, updated, changes, scale);

            after = ValidationAccuracy(updated, data);
            if (before - after <= maxAccuracyLoss)
                return new AccuracyBudgetResult(maxAccuracyLoss, before, after, scale);
        }

        throw EngineException.Precondition("max_accuracy_loss",
            $"Even 1/16 of the update lowers validation accuracy from {before:F4} to {after:F4}, by more than max_accuracy_loss "
            + $"{maxAccuracyLoss:R}. Raise max_accuracy_loss, remove fewer samples or choose another method.");
    }

    /// <summary>Keeps <paramref name="scale"/> of <paramref name="updated"/>'s change from <paramref name="model"/>, in place.</summary>
    public static void Scale(TrainedModel model, TrainedModel updated, double scale)
    {
        using var scope = NewDisposeScope();
        MoveAlongChange(model, updated, Changes(model, updated), scale);
    }

    private static List<Tensor> Changes(TrainedModel model, TrainedModel updated)
    {
        using var noGrad = no_grad();
        return model.Network.parameters().Zip(updated.Network.parameters(), (before, after) => after.detach().sub(before.detach())).ToList();
    }

    private static void MoveAlongChange(TrainedModel model, TrainedModel updated, List<Tensor> changes, double scale)
    {
        using var noGrad = no_grad();
        using var share = scale.ToScalar();
        var baseParameters = model.Network.parameters().ToList();
        var updatedParameters = updated.Network.parameters().ToList();
        for (int i = 0; i < baseParameters.Count; i++)
            updatedParameters[i].copy_(baseParameters[i]).add_(changes[i], share);
    }

    private static double ValidationAccuracy(TrainedModel model, PreparedDataset data) =>
        FairnessEvaluator.Evaluate(model, data, "validation").Accuracy
        ?? throw EngineException.Precondition("max_accuracy_loss", "The validation split has no rows, so max_accuracy_loss cannot be checked.");
}
