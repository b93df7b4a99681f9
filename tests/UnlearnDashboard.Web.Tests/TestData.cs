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

    /// <summary>
    /// The biased report after a debias update: accuracy 0.8431, DP difference 0.1552, EO difference 0.0814, with
    /// the selection rates Female 0.0904 -> 0.1123 and Male 0.2936 -> 0.2675.
    /// </summary>
    public static FairnessReport DebiasedReport()
    {
        var report = BiasedReport();
        report.Accuracy = 0.84312;
        report.DemographicParityDifference = 0.15521;
        report.EqualizedOddsDifference = 0.08143;
        report.Groups[0].SelectionRate = 0.1123;
        report.Groups[0].TruePositiveRate = 0.5546;
        report.Groups[1].SelectionRate = 0.2675;
        report.Groups[1].TruePositiveRate = 0.6256;
        return report;
    }

    /// <summary>
    /// A debias result on Adult with every evidence part: retrain with distances, reweighing, group thresholds,
    /// random control, seed band, levelling down (selection rate flagged, TPR not) and membership inference.
    /// </summary>
    public static DebiasResult DebiasResultWithEvidence() => new()
    {
        Before = BiasedReport(),
        After = DebiasedReport(),
        RemovedSampleCount = 1357,
        NewVersionId = DebiasedVersionId,
        BaseVersionId = TrainedVersionId,
        Evidence = new DebiasEvidence
        {
            Retrain = new RetrainEvidence
            {
                Report = Headline(0.84521, 0.16114, 0.08032),
                TrainingSeconds = 4.2,
                UpdatedToRetrained = new ModelDistance
                {
                    Total = 1.87341,
                    PredictionAgreement = 0.97123,
                    Layers = { new LayerDistance { Layer = "fc1", Distance = 1.7 }, new LayerDistance { Layer = "fc2", Distance = 0.78 } },
                },
                BaseToRetrained = new ModelDistance { Total = 2.44102, PredictionAgreement = 0.95881 },
            },
            Reweighing = new ReweighingBaseline { Report = Headline(0.83914, 0.09213, 0.06881), TrainingSeconds = 4.4 },
            GroupThresholds = new GroupThresholdBaseline
            {
                Rule = "Target rate s is the base model's overall selection rate on the validation split.",
                TargetSelectionRate = 0.2281,
                Thresholds =
                {
                    new GroupThreshold { Group = "Female", Probability = 0.2711, ValidationSelectionRate = 0.2279 },
                    new GroupThreshold { Group = "Male", Probability = 0.5402, ValidationSelectionRate = 0.2284 },
                },
                Report = Headline(0.83022, 0.01234, 0.14011),
            },
            RandomControl = new RandomControl
            {
                RemovedCount = 1357,
                Draws =
                {
                    new HeadlineMetrics { Accuracy = 0.8491, DemographicParityDifference = 0.2011, EqualizedOddsDifference = 0.0941 },
                    new HeadlineMetrics { Accuracy = 0.8497, DemographicParityDifference = 0.2027, EqualizedOddsDifference = 0.0961 },
                },
                Mean = new HeadlineMetrics { Accuracy = 0.8494, DemographicParityDifference = 0.2019, EqualizedOddsDifference = 0.0951 },
                Targeted = new HeadlineMetrics { Accuracy = 0.84312, DemographicParityDifference = 0.15521, EqualizedOddsDifference = 0.08143 },
            },
            SeedBand = new SeedBand
            {
                Seeds = { 1, 2, 3, 4, 5 },
                Metrics =
                {
                    new SeedBandMetric { Metric = "accuracy", Mean = 0.8489, StandardDeviation = 0.0021, Lower = 0.8447, Upper = 0.8531, Result = 0.84312, OutsideBand = true },
                    new SeedBandMetric { Metric = "demographic_parity_difference", Mean = 0.2011, StandardDeviation = 0.0065, Lower = 0.1881, Upper = 0.2141, Result = 0.15521, OutsideBand = true },
                    new SeedBandMetric { Metric = "equalized_odds_difference", Mean = 0.0942, StandardDeviation = 0.011, Lower = 0.0722, Upper = 0.1162, Result = 0.08143, OutsideBand = false },
                },
            },
            LevellingDown = new LevellingDown
            {
                Rule = "The rate is flagged when the gap fell and the favoured group's rate fell by more than the lowest group's rose.",
                Flagged = true,
                SelectionRate = new LevellingDownRate
                {
                    Rate = "selection_rate",
                    Groups =
                    {
                        new GroupRateChange { Group = "Female", Before = 0.0904, After = 0.1123 },
                        new GroupRateChange { Group = "Male", Before = 0.2936, After = 0.2675 },
                    },
                    FavouredGroup = "Male",
                    LowestGroup = "Female",
                    GapBefore = 0.2032,
                    GapAfter = 0.1552,
                    FavouredDrop = 0.0261,
                    LowestRise = 0.0219,
                    LevelledDown = true,
                    AnyGroupFell = true,
                },
                TruePositiveRate = new LevellingDownRate
                {
                    Rate = "true_positive_rate",
                    Groups =
                    {
                        new GroupRateChange { Group = "Female", Before = 0.5401, After = 0.5546 },
                        new GroupRateChange { Group = "Male", Before = 0.6306, After = 0.6256 },
                    },
                    FavouredGroup = "Male",
                    LowestGroup = "Female",
                    GapBefore = 0.0905,
                    GapAfter = 0.071,
                    FavouredDrop = 0.005,
                    LowestRise = 0.0145,
                    LevelledDown = false,
                    AnyGroupFell = true,
                },
            },
            MembershipInference = new MembershipInference
            {
                MemberCount = 1357,
                NonMemberCount = 1342,
                Models =
                {
                    new MembershipAuc { Model = "base", Auc = 0.61234 },
                    new MembershipAuc { Model = "updated", Auc = 0.58761 },
                    new MembershipAuc { Model = "retrained", Auc = 0.57122 },
                },
            },
            Timings = new EvidenceTimings { RetrainSeconds = 4.2, ReweighingSeconds = 4.4, RandomControlSeconds = 0.3, SeedBandSeconds = 20.5 },
        },
    };

    private static FairnessReport Headline(double accuracy, double demographicParity, double equalizedOdds) => new()
    {
        Split = "test",
        SensitiveAttribute = "sex",
        ReferenceGroup = "Male",
        Count = 15060,
        Accuracy = accuracy,
        DemographicParityDifference = demographicParity,
        EqualizedOddsDifference = equalizedOdds,
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
