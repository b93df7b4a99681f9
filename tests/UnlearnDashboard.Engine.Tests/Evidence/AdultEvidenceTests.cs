using System.Globalization;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Influence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using UnlearnDashboard.Engine.Tests.Pipeline;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Tests.Evidence;

public sealed class AdultEvidenceTests(AdultModelFixture fixture, ITestOutputHelper output) : IClassFixture<AdultModelFixture>
{
    private static readonly EvidenceOptions Everything = new()
    {
        Retrain = true,
        Reweighing = true,
        SeedBand = true,
    };

    /// <summary>
    /// Returns the classic Newton removal on the output layer, (1/n) (H + lambda I)^-1 sum over R of grad L(z), for
    /// any removal set R, as the random control needs it.
    /// </summary>
    private static RemovalUpdate NewtonRemoval(TrainedModel model, LinearStack stack, InfluenceProblem problem, Tensor inputs, Tensor labels) =>
        EvidenceRunner.InPlace(model, (copy, positions, token) =>
        {
            using var scope = NewDisposeScope();
            var rows = tensor(positions.Select(p => (long)p).ToArray());
            var gradientSum = problem.SumOfGradients(inputs.index_select(0, rows), labels.index_select(0, rows), token);
            var step = problem.Solve(gradientSum, token).Solution / (double)problem.TrainCount;
            var parts = stack.Unflatten(step);
            using var noGrad = no_grad();
            var layer = copy.Network.Layers[stack.Chosen.Single()];
            layer.weight!.add_(parts[0].to(float32));
            layer.bias!.add_(parts[1].to(float32));
        });

    [Fact]
    public void Compute_AllEvidence_BacksTheResult()
    {
        var data = fixture.Data;
        var model = fixture.Model;
        var options = new DebiasOptions { Method = DebiasMethod.InfluenceNewton, Evidence = null };
        using var outcome = DebiasPipeline.Run(model, data, options, null, CancellationToken.None);
        var positionOf = data.Train.RowIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        int[] removed = outcome.RemovedRowIds.Select(id => positionOf[id]).ToArray();
        using var inputs = model.EncodeInputs(data.Train);
        using var labels = tensor(data.Train.Labels);
        using var stack = new LinearStack(model.Network, [model.Network.Layers.Count - 1]);
        using var problem = new InfluenceProblem(stack, inputs, labels, outcome.Influence.Damping);
        var input = new EvidenceInput
        {
            BaseModel = model,
            UpdatedModel = outcome.UpdatedModel,
            Data = data,
            RemovedPositions = removed,
            Update = NewtonRemoval(model, stack, problem, inputs, labels),
        };

        var evidence = EvidenceRunner.Compute(input, Everything, null, CancellationToken.None, new SeedBandCache());

        Print(outcome, evidence);
        double dpBefore = outcome.Before.DemographicParityDifference!.Value;
        double dpAfter = outcome.After.DemographicParityDifference!.Value;
        Assert.Empty(evidence.Skipped);

        var retrain = evidence.Retrain!;
        for (int layer = 0; layer < 2; layer++)
            Assert.Equal(retrain.BaseToRetrained.Layers[layer].Distance, retrain.UpdatedToRetrained.Layers[layer].Distance);
        Assert.InRange(retrain.UpdatedToRetrained.PredictionAgreement, 0.9, 1.0);

        var random = evidence.RandomControl!;
        Assert.Equal(removed.Length, random.RemovedCount);
        Assert.Equal(5, random.Draws.Count);
        Assert.True(random.Mean.DemographicParityDifference > dpAfter + 0.02,
            $"random removal {random.Mean.DemographicParityDifference:F4}, targeted {dpAfter:F4}");

        Assert.True(evidence.Reweighing!.Report.DemographicParityDifference < dpBefore);
        Assert.True(evidence.GroupThresholds!.Report.DemographicParityDifference < dpBefore);

        var membership = evidence.MembershipInference!;
        Assert.Equal(["base", "updated", "retrained"], membership.Models.Select(m => m.Model));
        Assert.Equal(removed.Length, membership.MemberCount);
        double baseAuc = membership.Models[0].Auc!.Value;
        double updatedAuc = membership.Models[1].Auc!.Value;
        double retrainedAuc = membership.Models[2].Auc!.Value;
        Assert.True(Math.Abs(updatedAuc - retrainedAuc) < Math.Abs(baseAuc - retrainedAuc),
            $"membership AUC base {baseAuc:F4}, updated {updatedAuc:F4}, retrained {retrainedAuc:F4}");

        var band = evidence.SeedBand!;
        Assert.Equal([1, 2, 3, 4, 5], band.Seeds);
        Assert.All(band.Metrics, m => Assert.True(m.StandardDeviation > 0, $"{m.Metric}: no spread over seeds"));
        Assert.Equal(dpAfter, band.Metrics[1].Result);
    }

    [Fact]
    public void Run_DefaultEvidence_SkipsTrainingsButRunsRandomControl()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Method = DebiasMethod.InfluenceNewton }, null, CancellationToken.None);

        var evidence = outcome.Evidence!;
        Assert.Null(evidence.Retrain);
        Assert.Null(evidence.Reweighing);
        Assert.Null(evidence.SeedBand);
        Assert.NotNull(evidence.GroupThresholds);
        Assert.NotNull(evidence.RandomControl);
        Assert.Equal(5, evidence.RandomControl!.Draws.Count);
        Assert.Equal(outcome.RemovedRowIds.Length, evidence.RandomControl.RemovedCount);
        Assert.DoesNotContain(evidence.Skipped, s => s.StartsWith("random control"));
        Assert.True(
            evidence.RandomControl.Targeted.DemographicParityDifference < evidence.RandomControl.Mean.DemographicParityDifference - 0.02,
            $"targeted {evidence.RandomControl.Targeted.DemographicParityDifference}, random {evidence.RandomControl.Mean.DemographicParityDifference}");
        Assert.Equal(["base", "updated"], evidence.MembershipInference!.Models.Select(m => m.Model));
        Assert.Equal(0, evidence.Timings.RetrainSeconds);
    }

    [Fact]
    public void Run_EvidenceOff_LeavesItNull()
    {
        using var outcome = DebiasPipeline.Run(fixture.Model, fixture.Data, new DebiasOptions { Method = DebiasMethod.InfluenceNewton, Evidence = null }, null, CancellationToken.None);

        Assert.Null(outcome.Evidence);
    }

    private void Print(DebiasOutcome outcome, DebiasEvidence e)
    {
        string F(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "undefined";
        void Line(string name, Engine.Fairness.FairnessReport r) =>
            output.WriteLine($"{name,-22} acc {F(r.Accuracy)}  DP {F(r.DemographicParityDifference)}  EO {F(r.EqualizedOddsDifference)}");

        Line("before", outcome.Before);
        Line("after", outcome.After);
        Line("retrain", e.Retrain!.Report);
        Line("reweighing", e.Reweighing!.Report);
        Line("group thresholds", e.GroupThresholds!.Report);
        output.WriteLine($"random control mean    acc {F(e.RandomControl!.Mean.Accuracy)}  DP {F(e.RandomControl.Mean.DemographicParityDifference)}  EO {F(e.RandomControl.Mean.EqualizedOddsDifference)}");
        foreach (var m in e.SeedBand!.Metrics)
            output.WriteLine($"seed band {m.Metric}: {F(m.Mean)} +- {F(2 * m.StandardDeviation)} [{F(m.Lower)}, {F(m.Upper)}], result {F(m.Result)}, outside {m.OutsideBand}");
        foreach (var m in e.MembershipInference!.Models)
            output.WriteLine($"membership AUC {m.Model}: {F(m.Auc)} ({e.MembershipInference.MemberCount} members, {e.MembershipInference.NonMemberCount} non-members)");
        output.WriteLine($"updated vs retrained: agreement {F(e.Retrain.UpdatedToRetrained.PredictionAgreement)}, L2 {string.Join(", ", e.Retrain.UpdatedToRetrained.Layers.Select(l => $"{l.Layer} {F(l.Distance)}"))}, total {F(e.Retrain.UpdatedToRetrained.Total)}");
        output.WriteLine($"base vs retrained:    agreement {F(e.Retrain.BaseToRetrained.PredictionAgreement)}, L2 {string.Join(", ", e.Retrain.BaseToRetrained.Layers.Select(l => $"{l.Layer} {F(l.Distance)}"))}, total {F(e.Retrain.BaseToRetrained.Total)}");
        foreach (var rate in new[] { e.LevellingDown.SelectionRate, e.LevellingDown.TruePositiveRate })
            output.WriteLine($"levelling down {rate.Rate}: {string.Join(", ", rate.Groups.Select(g => $"{g.Group} {F(g.Before)}->{F(g.After)}"))}; flagged {rate.LevelledDown}");
        output.WriteLine($"thresholds: {string.Join(", ", e.GroupThresholds.Thresholds.Select(t => $"{t.Group} {F(t.Probability)}"))}");
        output.WriteLine($"timings: {e.Timings}");
        output.WriteLine($"pipeline timings: {outcome.Timings}");
    }
}
