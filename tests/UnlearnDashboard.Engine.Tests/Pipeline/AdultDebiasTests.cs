using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;

namespace UnlearnDashboard.Engine.Tests.Pipeline;

/// <summary>Trains the default MLP on Adult once and shares it, because training takes seconds.</summary>
public sealed class AdultModelFixture : IDisposable
{
    public AdultModelFixture()
    {
        Data = DatasetProfiles.Load(DatasetProfiles.Adult);
        Model = ModelTrainer.Train(Data, new ModelSettings(), null, null, CancellationToken.None);
    }

    public PreparedDataset Data { get; }

    public TrainedModel Model { get; }

    public void Dispose() => Model.Dispose();
}

public sealed class AdultDebiasTests(AdultModelFixture fixture) : IClassFixture<AdultModelFixture>
{
    [Fact]
    public void Train_DefaultMlp_ReachesUsualAccuracy()
    {
        var report = Engine.Fairness.FairnessEvaluator.Evaluate(fixture.Model, fixture.Data, "test");

        Assert.Equal(15_060, report.Count);
        Assert.InRange(report.Accuracy!.Value, 0.84, 0.86);
        Assert.InRange(report.DemographicParityDifference!.Value, 0.15, 0.25);
        Assert.Equal(["fc1", "fc2", "fc3"], fixture.Model.Network.LayerNames);
    }

    [Fact]
    public void Run_DefaultNewtonRemoval_CutsParityGapAndKeepsAccuracy()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions(), null, CancellationToken.None);

        double dpBefore = outcome.Before.DemographicParityDifference!.Value;
        double dpAfter = outcome.After.DemographicParityDifference!.Value;
        Assert.True(dpAfter <= 0.8 * dpBefore, $"demographic parity difference {dpBefore:F4} -> {dpAfter:F4}");
        Assert.True(outcome.After.Accuracy >= outcome.Before.Accuracy - 0.01, $"accuracy {outcome.Before.Accuracy:F4} -> {outcome.After.Accuracy:F4}");
        Assert.Equal((int)Math.Round(0.05 * fixture.Data.Train.Count), outcome.RemovedRowIds.Length);
        Assert.Equal(["fc3"], outcome.Influence.Layers);
        Assert.Equal(33, outcome.Influence.ParameterCount);
        Assert.Equal(ObjectiveRows.Validation, outcome.Influence.ObjectiveRows);
        Assert.True(outcome.Influence.SolverResidual < 1e-9, $"residual {outcome.Influence.SolverResidual}");
    }

    [Theory]
    [InlineData(BiasObjectiveKind.DemographicParity, ObjectiveRows.Validation)]
    [InlineData(BiasObjectiveKind.FalsePositiveRate, ObjectiveRows.Validation)]
    [InlineData(BiasObjectiveKind.EqualizedOdds, ObjectiveRows.TrainingAndValidation)]
    [InlineData(BiasObjectiveKind.ParityAndOdds, ObjectiveRows.TrainingAndValidation)]
    public void ChooseObjectiveRows_LabelObjectives_CountRowsPerLabel(BiasObjectiveKind objective, ObjectiveRows expected)
    {
        // About 111 of Adult's 3,016 validation rows are women earning >50K, the rows a true positive rate uses.
        var rows = DebiasPipeline.ChooseObjectiveRows(fixture.Data, objective);

        Assert.Equal(expected, rows);
    }

    [Fact]
    public void Run_NewtonStep_PredictsMeasuredObjectiveChange()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { NewtonSteps = 1 }, null, CancellationToken.None);

        double predicted = outcome.Influence.ObjectivePredicted - outcome.Influence.ObjectiveBefore;
        double measured = outcome.Influence.ObjectiveAfter - outcome.Influence.ObjectiveBefore;
        Assert.True(predicted < 0, $"predicted change {predicted}");
        Assert.True(Math.Abs(measured - predicted) <= 0.25 * Math.Abs(predicted), $"predicted {predicted:F5}, measured {measured:F5}");
    }

    [Fact]
    public void Run_LastLayerOnly_LeavesOtherLayersBitIdentical()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions(), null, CancellationToken.None);

        for (int layer = 0; layer < 2; layer++)
        {
            var before = fixture.Model.Network.Layers[layer];
            var after = outcome.UpdatedModel.Network.Layers[layer];
            Assert.True(before.weight!.eq(after.weight!).all().item<bool>(), $"fc{layer + 1}.weight changed");
            Assert.True(before.bias!.eq(after.bias!).all().item<bool>(), $"fc{layer + 1}.bias changed");
        }

        Assert.False(fixture.Model.Network.Layers[2].weight!.eq(outcome.UpdatedModel.Network.Layers[2].weight!).all().item<bool>());
    }

    [Fact]
    public void Run_Retrain_ExcludesRemovedSamples()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { CompareRetrain = true }, null, CancellationToken.None);

        Assert.NotNull(outcome.Retrain);
        Assert.True(outcome.Timings.RetrainSeconds > 0);
        Assert.Equal(15_060, outcome.Retrain!.Count);
        Assert.True(outcome.Retrain.DemographicParityDifference < outcome.Before.DemographicParityDifference);
    }

    [Fact]
    public void Run_RetrainWithEvidence_ReusesTheRetrainForForgettingProof()
    {
        var options = new DebiasOptions
        {
            CompareRetrain = true,
            Evidence = new EvidenceOptions { Retrain = false, RandomControl = false, GroupThresholds = false },
        };

        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, options, null, CancellationToken.None);

        // The evidence did not ask for a retrain, yet it has one: the run's own, with its report and seconds.
        var retrain = outcome.Evidence!.Retrain;
        Assert.NotNull(retrain);
        Assert.Equal(outcome.Retrain!.Accuracy, retrain!.Report.Accuracy);
        Assert.Equal(outcome.Retrain.DemographicParityDifference, retrain.Report.DemographicParityDifference);
        Assert.Equal(outcome.Timings.RetrainSeconds, retrain.TrainingSeconds);
        Assert.InRange(retrain.UpdatedToRetrained.PredictionAgreement, 0.9, 1.0);
        Assert.Contains(outcome.Evidence.MembershipInference!.Models, auc => auc.Model == "retrained" && auc.Auc is not null);
    }

    [Fact]
    public void Run_DefaultMethod_ReportsTheCounterfactualMapsItUsed()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Evidence = null }, null, CancellationToken.None);
        using var newton = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Method = DebiasMethod.InfluenceNewton, Evidence = null },
            null, CancellationToken.None);

        Assert.Equal(["sex", "relationship"], outcome.CounterfactualSpec!.AllMaps.Select(map => map.Column));
        Assert.Null(newton.CounterfactualSpec);
    }

    [Fact]
    public void Run_TinyDamping_WarnsOfLargeChange()
    {
        // Without the damping rule's 1e-4, the step follows the fc3 directions the training loss barely curves in.
        using var tiny = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Damping = 1e-300, Evidence = null }, null, CancellationToken.None);
        using var byRule = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Evidence = null }, null, CancellationToken.None);

        var change = tiny.LayerChanges.Single(c => c.Layer == "fc3");
        Assert.True(change.RelativeChange > DebiasPipeline.LargeRelativeChange, $"relative change {change.RelativeChange}");
        Assert.Contains(tiny.Warnings, w => w.StartsWith("The update changed fc3 by ", StringComparison.Ordinal)
            && w.EndsWith("The requested damping (1E-300) sizes the Newton step; leave damping unset so that the damping rule chooses it, or raise it.", StringComparison.Ordinal));
        Assert.True(byRule.LayerChanges.Single(c => c.Layer == "fc3").RelativeChange < DebiasPipeline.LargeRelativeChange);
        Assert.DoesNotContain(byRule.Warnings, w => w.StartsWith("The update changed", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_UnknownLayer_NamesTheLayer()
    {
        var options = new DebiasOptions { Layers = ["fc9"] };

        var error = Assert.Throws<EngineException>(() => DebiasPipeline.Run(fixture.Model, fixture.Data, options, null, CancellationToken.None));

        Assert.Equal("layers", error.Field);
        Assert.Contains("fc9", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    public void Run_FractionOutOfRange_NamesTheField(double fraction)
    {
        var options = new DebiasOptions { RemoveFraction = fraction };

        var error = Assert.Throws<EngineException>(() => DebiasPipeline.Run(fixture.Model, fixture.Data, options, null, CancellationToken.None));

        Assert.Equal("remove_fraction", error.Field);
    }

    [Fact]
    public void Run_Cancelled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions(), null, cancellation.Token));
    }
}
