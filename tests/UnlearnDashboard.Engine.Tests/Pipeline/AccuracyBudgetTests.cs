using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

public sealed class AccuracyBudgetTests(AdultModelFixture fixture) : IClassFixture<AdultModelFixture>
{
    /// <summary>Replacing 10% of the rows by their whole counterfactuals costs Adult's MLP more than a point of accuracy.</summary>
    private static DebiasOptions Costly(double? maxAccuracyLoss) => new()
    {
        RemoveFraction = 0.1,
        AddWeight = 1,
        Evidence = null,
        MaxAccuracyLoss = maxAccuracyLoss,
    };

    [Fact]
    public void Run_BudgetExceeded_ScalesUpdateBack()
    {
        double validationBefore = FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "validation").Accuracy!.Value;
        using var unlimited = DebiasPipeline.Run(fixture.Model, fixture.Data, Costly(null), null, CancellationToken.None);
        double unlimitedDrop = validationBefore - FairnessEvaluator.Evaluate(unlimited.UpdatedModel, fixture.Data, "validation").Accuracy!.Value;

        using var limited = DebiasPipeline.Run(fixture.Model, fixture.Data, Costly(0.002), null, CancellationToken.None);
        var budget = limited.AccuracyBudget!;
        double limitedAfter = FairnessEvaluator.Evaluate(limited.UpdatedModel, fixture.Data, "validation").Accuracy!.Value;

        Assert.True(unlimitedDrop > 0.002, $"the whole update loses only {unlimitedDrop:F4} of validation accuracy");
        Assert.Null(unlimited.AccuracyBudget);
        Assert.InRange(budget.StepScale, 0.0625, 0.5);
        Assert.Equal(validationBefore, budget.ValidationAccuracyBefore, 12);
        Assert.Equal(limitedAfter, budget.ValidationAccuracyAfter, 12);
        Assert.True(budget.ValidationAccuracyBefore - budget.ValidationAccuracyAfter <= 0.002,
            $"validation accuracy {budget.ValidationAccuracyBefore:F4} -> {budget.ValidationAccuracyAfter:F4}");
        Assert.True(limited.After.DemographicParityDifference < limited.Before.DemographicParityDifference,
            $"parity {limited.Before.DemographicParityDifference:F4} -> {limited.After.DemographicParityDifference:F4}");
        Assert.Equal(validationBefore, FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "validation").Accuracy!.Value, 12);
    }

    [Fact]
    public void Run_BudgetMet_KeepsWholeUpdate()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Evidence = null, MaxAccuracyLoss = 0.5 },
            null, CancellationToken.None);

        Assert.Equal(1, outcome.AccuracyBudget!.StepScale);
        Assert.Equal(0.5, outcome.AccuracyBudget.MaxAccuracyLoss);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Validate_BudgetOutOfRange_NamesField(double maxAccuracyLoss)
    {
        var error = Assert.Throws<EngineException>(() => new DebiasOptions { MaxAccuracyLoss = maxAccuracyLoss }.Validate());

        Assert.Equal("max_accuracy_loss", error.Field);
        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
    }
}
