using UnlearnDashboard.Engine.Evidence;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps evidence requests to engine options and the engine's evidence to proto.</summary>
internal static class EvidenceMapper
{
    /// <summary>Converts a request to options; unset fields take the engine's defaults. Range checks are the engine's.</summary>
    public static EvidenceOptions ToEngine(this Proto.EvidenceRequest? request)
    {
        var defaults = new EvidenceOptions();
        if (request is null)
            return defaults;

        if (request.HasSeed && request.Seed > int.MaxValue)
        {
            throw Engine.EngineException.Invalid("evidence.seed", $"evidence.seed must be at most {int.MaxValue}; got {request.Seed}.",
                request.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new EvidenceOptions
        {
            Retrain = request.HasRetrain ? request.Retrain : defaults.Retrain,
            Reweighing = request.HasReweighing ? request.Reweighing : defaults.Reweighing,
            GroupThresholds = request.HasGroupThresholds ? request.GroupThresholds : defaults.GroupThresholds,
            RandomControl = request.HasRandomControl ? request.RandomControl : defaults.RandomControl,
            RandomDraws = request.HasRandomDraws ? request.RandomDraws : defaults.RandomDraws,
            SeedBand = request.HasSeedBand ? request.SeedBand : defaults.SeedBand,
            SeedBandSeeds = request.HasSeedBandSeeds ? request.SeedBandSeeds : defaults.SeedBandSeeds,
            MembershipInference = request.HasMembershipInference ? request.MembershipInference : defaults.MembershipInference,
            Seed = request.HasSeed ? (int)request.Seed : defaults.Seed,
        };
    }

    public static Proto.DebiasEvidence ToProto(this DebiasEvidence evidence)
    {
        var proto = new Proto.DebiasEvidence
        {
            Retrain = evidence.Retrain is { } retrain ? ToProto(retrain) : null,
            Reweighing = evidence.Reweighing is { } reweighing ? ToProto(reweighing) : null,
            GroupThresholds = evidence.GroupThresholds is { } thresholds ? ToProto(thresholds) : null,
            RandomControl = evidence.RandomControl is { } control ? ToProto(control) : null,
            SeedBand = evidence.SeedBand is { } band ? ToProto(band) : null,
            LevellingDown = ToProto(evidence.LevellingDown),
            MembershipInference = evidence.MembershipInference is { } inference ? ToProto(inference) : null,
            Timings = new Proto.EvidenceTimings
            {
                RetrainSeconds = evidence.Timings.RetrainSeconds,
                ReweighingSeconds = evidence.Timings.ReweighingSeconds,
                GroupThresholdsSeconds = evidence.Timings.GroupThresholdsSeconds,
                RandomControlSeconds = evidence.Timings.RandomControlSeconds,
                SeedBandSeconds = evidence.Timings.SeedBandSeconds,
                MembershipInferenceSeconds = evidence.Timings.MembershipInferenceSeconds,
                DistanceSeconds = evidence.Timings.DistanceSeconds,
                WarmUpSeconds = evidence.Timings.WarmUpSeconds,
            },
        };
        proto.Skipped.AddRange(evidence.Skipped);
        return proto;
    }

    private static Proto.RetrainEvidence ToProto(RetrainEvidence retrain) => new()
    {
        Report = retrain.Report.ToProto(),
        TrainingSeconds = retrain.TrainingSeconds,
        UpdatedToRetrained = ToProto(retrain.UpdatedToRetrained),
        BaseToRetrained = ToProto(retrain.BaseToRetrained),
    };

    private static Proto.ModelDistance ToProto(ModelDistance distance) => new()
    {
        PredictionAgreement = distance.PredictionAgreement,
        Layers = { distance.Layers.Select(l => new Proto.LayerDistance { Layer = l.Layer, Distance = l.Distance }) },
        Total = distance.Total,
    };

    private static Proto.ReweighingBaseline ToProto(ReweighingResult reweighing) => new()
    {
        Weights =
        {
            reweighing.Weights.Select(w => new Proto.ReweighingWeight
            {
                Group = w.Group,
                FavourableLabel = w.Label,
                Count = w.Count,
                Weight = w.Weight,
            }),
        },
        Report = reweighing.Report.ToProto(),
        TrainingSeconds = reweighing.TrainingSeconds,
    };

    private static Proto.GroupThresholdBaseline ToProto(GroupThresholdResult thresholds) => new()
    {
        Rule = thresholds.Rule,
        TargetSelectionRate = thresholds.TargetSelectionRate,
        Thresholds =
        {
            thresholds.Thresholds.Select(t => new Proto.GroupThreshold
            {
                Group = t.Group,
                Probability = t.Probability,
                ValidationSelectionRate = t.ValidationSelectionRate,
            }),
        },
        Report = thresholds.Report.ToProto(),
    };

    private static Proto.RandomControl ToProto(RandomControlResult control) => new()
    {
        RemovedCount = control.RemovedCount,
        Draws = { control.Draws.Select(ToProto) },
        Mean = ToProto(control.Mean),
        Targeted = ToProto(control.Targeted),
    };

    private static Proto.HeadlineMetrics ToProto(HeadlineMetrics metrics)
    {
        var proto = new Proto.HeadlineMetrics();
        if (metrics.Accuracy is { } accuracy)
            proto.Accuracy = accuracy;
        if (metrics.DemographicParityDifference is { } parity)
            proto.DemographicParityDifference = parity;
        if (metrics.EqualizedOddsDifference is { } odds)
            proto.EqualizedOddsDifference = odds;
        return proto;
    }

    private static Proto.SeedBand ToProto(SeedBandResult band) => new()
    {
        Seeds = { band.Seeds },
        Metrics = { band.Metrics.Select(ToProto) },
        FromCache = band.FromCache,
    };

    private static Proto.SeedBandMetric ToProto(SeedBandMetric metric)
    {
        var proto = new Proto.SeedBandMetric { Metric = metric.Metric };
        proto.Values.AddRange(metric.Values.Select(v => v is { } value ? new Proto.OptionalDouble { Value = value } : new Proto.OptionalDouble()));
        if (metric.Mean is { } mean)
            proto.Mean = mean;
        if (metric.StandardDeviation is { } deviation)
            proto.StandardDeviation = deviation;
        if (metric.Lower is { } lower)
            proto.Lower = lower;
        if (metric.Upper is { } upper)
            proto.Upper = upper;
        if (metric.Result is { } result)
            proto.Result = result;
        if (metric.OutsideBand is { } outside)
            proto.OutsideBand = outside;
        return proto;
    }

    private static Proto.LevellingDown ToProto(LevellingDownResult levelling) => new()
    {
        Rule = levelling.Rule,
        SelectionRate = ToProto(levelling.SelectionRate),
        TruePositiveRate = ToProto(levelling.TruePositiveRate),
        Flagged = levelling.Flagged,
    };

    private static Proto.LevellingDownRate ToProto(LevellingDownRate rate)
    {
        var proto = new Proto.LevellingDownRate
        {
            Rate = rate.Rate,
            FavouredGroup = rate.FavouredGroup ?? "",
            LowestGroup = rate.LowestGroup ?? "",
            LevelledDown = rate.LevelledDown,
            AnyGroupFell = rate.AnyGroupFell,
        };
        foreach (var group in rate.Groups)
        {
            var change = new Proto.GroupRateChange { Group = group.Group };
            if (group.Before is { } before)
                change.Before = before;
            if (group.After is { } after)
                change.After = after;
            proto.Groups.Add(change);
        }

        if (rate.GapBefore is { } gapBefore)
            proto.GapBefore = gapBefore;
        if (rate.GapAfter is { } gapAfter)
            proto.GapAfter = gapAfter;
        if (rate.FavouredDrop is { } drop)
            proto.FavouredDrop = drop;
        if (rate.LowestRise is { } rise)
            proto.LowestRise = rise;
        return proto;
    }

    private static Proto.MembershipInference ToProto(MembershipInferenceResult inference)
    {
        var proto = new Proto.MembershipInference { MemberCount = inference.MemberCount, NonMemberCount = inference.NonMemberCount };
        foreach (var model in inference.Models)
        {
            var auc = new Proto.MembershipAuc { Model = model.Model };
            if (model.Auc is { } value)
                auc.Auc = value;
            proto.Models.Add(auc);
        }

        return proto;
    }
}
