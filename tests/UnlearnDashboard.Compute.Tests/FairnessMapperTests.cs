using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Engine.Fairness;

namespace UnlearnDashboard.Compute.Tests;

public sealed class FairnessMapperTests
{
    private static readonly FairnessReport Report = new()
    {
        Split = "test",
        SensitiveAttribute = "sex",
        ReferenceGroup = "Male",
        Count = 4,
        Accuracy = 0.5,
        DemographicParityDifference = 0,
        EqualizedOddsDifference = null,
        Groups =
        [
            new GroupFairness
            {
                Group = "Female",
                TrueNegatives = 2,
                SelectionRate = 0,
                TruePositiveRate = null,
                Undefined = [new UndefinedMetric("true_positive_rate", "no positive labels in group Female (0 of 2)", 0, 0)],
            },
        ],
        Undefined = [new UndefinedMetric("equalized_odds_difference", "true_positive_rate is undefined for Female", 0, 0)],
    };

    [Fact]
    public void ToProto_NullMetric_LeavesFieldUnset()
    {
        var message = Report.ToProto();

        Assert.False(message.HasEqualizedOddsDifference);
        Assert.False(message.Groups[0].HasTruePositiveRate);
        Assert.False(message.HasDisparateImpactRatio);
    }

    [Fact]
    public void ToProto_DefinedZero_SetsField()
    {
        var message = Report.ToProto();

        Assert.True(message.HasDemographicParityDifference);
        Assert.Equal(0, message.DemographicParityDifference);
        Assert.True(message.Groups[0].HasSelectionRate);
        Assert.Equal(0, message.Groups[0].SelectionRate);
    }

    [Fact]
    public void ToProto_UndefinedMetrics_CarryReasons()
    {
        var message = Report.ToProto();

        Assert.Equal("equalized_odds_difference", message.Undefined.Single().Metric);
        Assert.Equal("no positive labels in group Female (0 of 2)", message.Groups[0].Undefined.Single().Reason);
        Assert.Equal(2, message.Groups[0].Count);
    }
}
