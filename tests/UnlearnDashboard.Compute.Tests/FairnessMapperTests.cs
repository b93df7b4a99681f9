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

    [Fact]
    public void ToProto_UndefinedInterval_KeepsReasonWithoutBounds()
    {
        ConfidenceInterval[] intervals =
        [
            new("demographic_parity_difference", null, 0.2, 0.18, 0.22, 1000, null),
            new("equalized_odds_difference", null, null, null, null, 0, "true_positive_rate is undefined for Female"),
        ];

        var message = intervals.ToProto(new BootstrapOptions { Resamples = 1000, Seed = 7 });

        Assert.Equal(1000, message.Resamples);
        Assert.Equal(7u, message.Seed);
        Assert.Equal(0.95, message.Level);
        Assert.Equal(0.18, message.Metrics[0].Lower);
        Assert.Equal(0.22, message.Metrics[0].Upper);
        Assert.Equal("", message.Metrics[0].UndefinedReason);
        Assert.False(message.Metrics[1].HasLower);
        Assert.False(message.Metrics[1].HasUpper);
        Assert.Equal("true_positive_rate is undefined for Female", message.Metrics[1].UndefinedReason);
    }

    [Fact]
    public void ToProto_GroupInterval_Throws()
    {
        ConfidenceInterval[] intervals = [new("selection_rate", "Female", 0.1, 0.09, 0.11, 1000, null)];

        var error = Assert.Throws<ArgumentException>(() => intervals.ToProto(new BootstrapOptions()));

        Assert.Contains("selection_rate in group Female", error.Message);
    }
}
