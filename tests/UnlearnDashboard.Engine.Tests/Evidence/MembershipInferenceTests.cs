using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Tests.Evidence;

[Collection(nameof(SeededTrainingCollection))]
public sealed class MembershipInferenceTests
{
    private static readonly PreparedDataset Adult = DatasetProfiles.Load(DatasetProfiles.Adult);

    private static double AttackAuc(TrainedModel model, TabularSplit members)
    {
        var nonMembers = Adult.Test.Select(MembershipInference.MatchNonMembers(members, Adult.Test, seed: 0));
        return MembershipInference.AttackAuc(MembershipInference.Losses(model, members), MembershipInference.Losses(model, nonMembers))!.Value;
    }

    [Fact]
    public void AttackAuc_SamplesNeverSeen_IsNearOneHalf()
    {
        var trained = Adult.Train.Select(Enumerable.Range(0, 6000).ToArray());
        var unseen = Adult.Train.Select(Enumerable.Range(6000, 6000).ToArray());
        var excluded = Adult.Train.RowIds[6000..].ToHashSet();
        var encoder = FeatureEncoder.Fit(Adult.Train, Adult.Train.FeatureColumns, Adult.NumericColumns);
        using var model = ModelTrainer.Train(Adult, new ModelSettings(), excluded, null, CancellationToken.None, encoder);

        double auc = AttackAuc(model, unseen);

        Assert.True(Math.Abs(auc - 0.5) <= 0.05, $"attack AUC {auc:F4} on samples the model never saw");
        Assert.True(AttackAuc(model, trained) >= auc, "members should be at least as exposed as non-members");
    }

    [Fact]
    public void AttackAuc_OverfitModel_IsHigh()
    {
        // German Credit's labels are noisy, so a wide MLP that memorises 150 rows generalises poorly, and the
        // loss gap between members and unseen rows is large. Adult's overfit models stay confident and right on
        // most unseen rows, which keeps a loss-based attack near 0.6 there.
        var data = DatasetProfiles.Load(DatasetProfiles.GermanCredit);
        var members = data.Train.Select(Enumerable.Range(0, 150).ToArray());
        var excluded = data.Train.RowIds[150..].ToHashSet();
        var encoder = FeatureEncoder.Fit(data.Train, data.Train.FeatureColumns, data.NumericColumns);
        var settings = new ModelSettings { Hidden = [256, 256], Epochs = 1000, BatchSize = 25, LearningRate = 1e-2 };
        using var model = ModelTrainer.Train(data, settings, excluded, null, CancellationToken.None, encoder);
        var nonMembers = data.Test.Select(MembershipInference.MatchNonMembers(members, data.Test, seed: 0));

        double auc = MembershipInference.AttackAuc(MembershipInference.Losses(model, members), MembershipInference.Losses(model, nonMembers))!.Value;

        Assert.True(auc > 0.7, $"attack AUC {auc:F4} on the 150 rows of an overfit model");
    }

    [Fact]
    public void MatchNonMembers_KeepsGroupAndLabelMix()
    {
        var members = Adult.Train.Select(Enumerable.Range(0, 1500).ToArray());

        int[] positions = MembershipInference.MatchNonMembers(members, Adult.Test, seed: 0);

        var nonMembers = Adult.Test.Select(positions);
        Assert.Equal(positions.Length, positions.Distinct().Count());
        foreach (string group in new[] { "Male", "Female" })
        {
            foreach (float label in new[] { 0f, 1f })
            {
                int memberCount = Enumerable.Range(0, members.Count).Count(i => members.Groups[i] == group && members.Labels[i] == label);
                int nonMemberCount = Enumerable.Range(0, nonMembers.Count).Count(i => nonMembers.Groups[i] == group && nonMembers.Labels[i] == label);
                Assert.Equal(memberCount, nonMemberCount);
            }
        }
    }

    [Fact]
    public void MatchNonMembers_FewMembers_DrawsAtLeastOneThousand()
    {
        var members = Adult.Train.Select(Enumerable.Range(0, 100).ToArray());

        int[] positions = MembershipInference.MatchNonMembers(members, Adult.Test, seed: 0);

        Assert.InRange(positions.Length, 1000, 1004);
    }
}
