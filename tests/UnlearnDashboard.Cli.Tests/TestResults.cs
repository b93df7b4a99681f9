using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>Builders of result messages with every summary metric set.</summary>
internal static class TestResults
{
    public static FairnessReport Report(double accuracy, double parityDifference) => new()
    {
        Split = "test",
        SensitiveAttribute = "sex",
        ReferenceGroup = "Male",
        Count = 1000,
        Accuracy = accuracy,
        DemographicParityDifference = parityDifference,
        EqualizedOddsDifference = 0.12,
        EqualOpportunityDifference = 0.08,
        DisparateImpactRatio = 0.61,
    };

    public static DebiasResult Debias() => new()
    {
        Before = Report(0.85, 0.18),
        After = Report(0.84, 0.09),
        RemovedSampleCount = 120,
        NewVersionId = "version-2",
        BaseVersionId = "version-1",
        Timings = new Timings { RankingSeconds = 3.5, UnlearningSeconds = 0.25, EvaluationSeconds = 0.5 },
        RemovedRowIds = { 17, 4, 99 },
    };
}
