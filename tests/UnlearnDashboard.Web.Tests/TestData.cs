using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Fairness;
using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Tests;

/// <summary>Builders of compute-server messages with the numbers the tests check.</summary>
public static class TestData
{
    public const string AdultId = "dataset-adult";
    public const string ModelId = "model-adult";
    public const string TrainedVersionId = "0193a1b2-trained";
    public const string DebiasedVersionId = "0193c3d4-debiased";
    public const string DebiasJobId = "0193a1b3-0000-7000-8000-00000000job2";

    public static Dataset Adult() => new()
    {
        Id = AdultId,
        Spec = new DatasetSpec { Name = "adult", SensitiveColumn = "sex", LabelColumn = "income", ReferenceGroup = "Male" },
        Groups = { "Female", "Male" },
        DefaultModelVersionId = TrainedVersionId,
        CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)),
    };

    /// <summary>A report with accuracy 0.8497, DP difference 0.2032, EO difference 0.0967 and DI 0.3078.</summary>
    public static FairnessReport BiasedReport() => new()
    {
        Split = "test",
        SensitiveAttribute = "sex",
        ReferenceGroup = "Male",
        Count = 15060,
        Accuracy = 0.84973,
        DemographicParityDifference = 0.20321,
        EqualizedOddsDifference = 0.09671,
        EqualOpportunityDifference = 0.09052,
        DisparateImpactRatio = 0.30782,
        FalsePositiveRateDifference = 0.0612,
        Groups =
        {
            new GroupMetrics { Group = "Female", Count = 4913, SelectionRate = 0.0904, TruePositiveRate = 0.5401, FalsePositiveRate = 0.0204, Accuracy = 0.9213, DisparateImpactRatio = 0.30782 },
            new GroupMetrics { Group = "Male", Count = 10147, SelectionRate = 0.2936, TruePositiveRate = 0.6306, FalsePositiveRate = 0.0816, Accuracy = 0.8143, DisparateImpactRatio = 1 },
        },
    };

    /// <summary>
    /// A model that approves nobody: DP difference 0 (defined), disparate impact undefined because the
    /// reference group has no positive predictions, and TPR of Female undefined for lack of positive labels.
    /// </summary>
    public static FairnessReport ApprovesNobodyReport() => new()
    {
        Split = "test",
        SensitiveAttribute = "sex",
        ReferenceGroup = "Male",
        Count = 8,
        Accuracy = 0.625,
        DemographicParityDifference = 0,
        EqualizedOddsDifference = 0,
        EqualOpportunityDifference = 0,
        FalsePositiveRateDifference = 0,
        Groups =
        {
            new GroupMetrics { Group = "Female", Count = 4, SelectionRate = 0, FalsePositiveRate = 0, Accuracy = 0.75,
                Undefined =
                {
                    new UndefinedMetric { Metric = "true_positive_rate", Reason = "no positive labels in group Female (0 of 4)", Numerator = 0, Denominator = 0 },
                    new UndefinedMetric { Metric = "disparate_impact_ratio", Reason = "privileged group has no positive predictions", Numerator = 0, Denominator = 0 },
                },
            },
            new GroupMetrics { Group = "Male", Count = 4, SelectionRate = 0, TruePositiveRate = 0, FalsePositiveRate = 0, Accuracy = 0.5,
                Undefined = { new UndefinedMetric { Metric = "disparate_impact_ratio", Reason = "privileged group has no positive predictions" } },
            },
        },
        Undefined =
        {
            new UndefinedMetric { Metric = "disparate_impact_ratio", Reason = "privileged group has no positive predictions", Numerator = 0, Denominator = 0 },
        },
    };

    public static CatalogSnapshot Catalog(FairnessReport? debiasedReport = null)
    {
        var model = new Model { Id = ModelId, Name = "adult-mlp", DatasetId = AdultId };
        var trained = new ModelVersion
        {
            Id = TrainedVersionId,
            ModelId = ModelId,
            TestReport = BiasedReport(),
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 1, 0, TimeSpan.Zero)),
            Layers = { new LayerInfo { Name = "fc1", ParameterCount = 6720 }, new LayerInfo { Name = "fc2", ParameterCount = 2080 }, new LayerInfo { Name = "fc3", ParameterCount = 33 } },
        };
        var debiased = new ModelVersion
        {
            Id = DebiasedVersionId,
            ModelId = ModelId,
            ParentVersionId = TrainedVersionId,
            JobId = DebiasJobId,
            RemovedSampleCount = 1357,
            TestReport = debiasedReport ?? ApprovesNobodyReport(),
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)),
            Layers = { trained.Layers },
        };
        return new CatalogSnapshot([Adult()], [model], [trained, debiased]);
    }

    public static JobStreamEvent Progress(long sequence, string phase, double fraction, StepMetrics? metrics = null) => new()
    {
        JobId = "job-1",
        Sequence = sequence,
        Time = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero).AddSeconds(sequence),
        Kind = JobEventKind.Progress,
        Phase = phase,
        Fraction = fraction,
        Message = $"{phase} at {fraction:P0}",
        Metrics = metrics,
    };

    public static JobStreamEvent Result(long sequence, FairnessReport after) => new()
    {
        JobId = "job-1",
        Sequence = sequence,
        Time = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero).AddSeconds(sequence),
        Kind = JobEventKind.Result,
        Fraction = 1,
        Result = new JobOutcome
        {
            Before = BiasedReport().ToSummary(),
            After = after.ToSummary(),
            RemovedSampleCount = 1357,
            NewVersionId = DebiasedVersionId,
            BaseVersionId = TrainedVersionId,
            RankingSeconds = 0.05,
            UnlearningSeconds = 0.01,
            EvaluationSeconds = 0.09,
        },
    };
}
