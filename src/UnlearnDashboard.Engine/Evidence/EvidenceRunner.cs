using System.Diagnostics;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using static TorchSharp.torch;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>The models and data of one debias run, as the evidence needs them.</summary>
public sealed record EvidenceInput
{
    /// <summary>The model before the update; not changed.</summary>
    public required TrainedModel BaseModel { get; init; }

    /// <summary>The model after the update; not changed.</summary>
    public required TrainedModel UpdatedModel { get; init; }

    /// <summary>The dataset the run used.</summary>
    public required PreparedDataset Data { get; init; }

    /// <summary>Positions in the training split of the removed samples.</summary>
    public required int[] RemovedPositions { get; init; }

    /// <summary>The run's update for another removal set; the random control needs it and is skipped without it.</summary>
    public RemovalUpdate? Update { get; init; }

    /// <summary>
    /// A retrain without the removed samples that the run made already, owned by the caller. When set, the retrain
    /// evidence uses it instead of training again, whether or not the options ask for a retrain.
    /// </summary>
    public TrainedModel? Retrained { get; init; }

    /// <summary>Training seconds of <see cref="Retrained"/>.</summary>
    public double RetrainSeconds { get; init; }

    /// <summary>
    /// Test-split reports the run computed already, of the base model, the updated model and <see cref="Retrained"/>;
    /// each one left null is computed here.
    /// </summary>
    public FairnessReport? BaseReport { get; init; }

    /// <inheritdoc cref="BaseReport"/>
    public FairnessReport? UpdatedReport { get; init; }

    /// <inheritdoc cref="BaseReport"/>
    public FairnessReport? RetrainedReport { get; init; }
}

/// <summary>Computes the evidence of a debias run (see <see cref="DebiasEvidence"/>), part by part as the options ask.</summary>
public static class EvidenceRunner
{
    /// <summary>
    /// Computes the requested parts in order of cost, reporting progress between parts. Every model it trains or
    /// updates is disposed before it returns. <paramref name="seedBandCache"/> defaults to <see cref="SeedBandCache.Shared"/>.
    /// </summary>
    public static DebiasEvidence Compute(
        EvidenceInput input,
        EvidenceOptions options,
        IProgress<ProgressUpdate>? progress,
        CancellationToken cancellationToken,
        SeedBandCache? seedBandCache = null)
    {
        options.Validate();
        var data = input.Data;
        var before = input.BaseReport ?? FairnessEvaluator.Evaluate(input.BaseModel, data, "test");
        var after = input.UpdatedReport ?? FairnessEvaluator.Evaluate(input.UpdatedModel, data, "test");
        var watch = new Stopwatch();
        var skipped = new List<string>();
        bool removes = input.RemovedPositions.Length > 0;
        bool attacks = options.MembershipInference && input.RemovedPositions.Length >= MembershipInference.MinimumMembers;
        if (!removes)
        {
            if (options.Retrain)
                skipped.Add("retrain: the run removed no samples, so the retrain would equal the base model's training");
            if (options.RandomControl)
                skipped.Add("random control: the run removed no samples");
            if (options.MembershipInference)
                skipped.Add("membership inference: the run removed no samples to attack");
        }
        else
        {
            if (options.RandomControl && input.Update is null)
                skipped.Add("random control: the method supplies no update for other removal sets");
            if (options.MembershipInference && !attacks)
            {
                int removed = input.RemovedPositions.Length;
                skipped.Add($"membership inference: the run removed {removed} {(removed == 1 ? "sample" : "samples")}, fewer than the "
                    + $"{MembershipInference.MinimumMembers} an attack AUC needs to mean anything");
            }
        }

        void Report(double share, string message) =>
            progress?.Report(new ProgressUpdate("evidence", 0.6 + 0.37 * share, message));

        Report(0, "Checking for levelling down");
        var levellingDown = LevellingDown.Analyse(before, after);

        GroupThresholdResult? thresholds = null;
        double thresholdSeconds = 0;
        if (options.GroupThresholds)
        {
            Report(0.02, "Choosing per-group thresholds on the validation split");
            watch.Restart();
            thresholds = GroupThresholds.Run(input.BaseModel, data);
            thresholdSeconds = watch.Elapsed.TotalSeconds;
        }

        RandomControlResult? randomControl = null;
        double randomSeconds = 0;
        if (options.RandomControl && removes && input.Update is not null)
        {
            Report(0.05, $"Applying the update to {options.RandomDraws} random removal sets of {input.RemovedPositions.Length} samples");
            watch.Restart();
            randomControl = RandomControl(input, options, after, cancellationToken);
            randomSeconds = watch.Elapsed.TotalSeconds;
        }

        double warmUpSeconds = 0, retrainSeconds = 0, reweighingSeconds = 0, distanceSeconds = 0, membershipSeconds = 0;
        RetrainEvidence? retrainEvidence = null;
        ReweighingResult? reweighing = null;
        MembershipInferenceResult? membership = null;
        TrainedModel? retrained = null;
        bool reuse = input.Retrained is not null && removes;
        try
        {
            if (reuse)
            {
                retrained = input.Retrained;
                retrainSeconds = input.RetrainSeconds;
                watch.Restart();
                retrainEvidence = RetrainEvidenceOf(input, retrained!, retrainSeconds, input.RetrainedReport);
                distanceSeconds = watch.Elapsed.TotalSeconds;
            }

            bool retrain = options.Retrain && removes && !reuse;
            if (retrain || options.Reweighing)
            {
                using var trainInputs = input.BaseModel.EncodeInputs(data.Train);
                using var trainLabels = tensor(data.Train.Labels);

                // One short training first, so that one-time JIT and allocator costs count against no timed training.
                watch.Restart();
                WarmUp(input.BaseModel, data, trainInputs, trainLabels, cancellationToken);
                warmUpSeconds = watch.Elapsed.TotalSeconds;

                if (retrain)
                {
                    Report(0.1, $"Retraining from scratch without the {input.RemovedPositions.Length} removed samples");
                    (retrained, retrainSeconds) = Retrain(input, trainInputs, trainLabels, cancellationToken);
                    watch.Restart();
                    retrainEvidence = RetrainEvidenceOf(input, retrained, retrainSeconds);
                    distanceSeconds = watch.Elapsed.TotalSeconds;
                }

                if (options.Reweighing)
                {
                    Report(0.3, "Retraining with Kamiran-Calders reweighing");
                    reweighing = Reweighing.Run(input.BaseModel, data, trainInputs, trainLabels, cancellationToken);
                    reweighingSeconds = reweighing.TrainingSeconds;
                }
            }

            if (attacks)
            {
                Report(0.5, "Attacking the removed samples by membership inference");
                watch.Restart();
                membership = Membership(input, retrained, options.Seed);
                membershipSeconds = watch.Elapsed.TotalSeconds;
            }
        }
        finally
        {
            if (!reuse)
                retrained?.Dispose();
        }

        SeedBandResult? seedBand = null;
        double seedBandSeconds = 0;
        if (options.SeedBand)
        {
            Report(0.55, $"Training the base model with {options.SeedBandSeeds} other seeds, unless cached");
            watch.Restart();
            var (seeds, runs, fromCache) = (seedBandCache ?? SeedBandCache.Shared).GetOrTrain(input.BaseModel, data, options.SeedBandSeeds, cancellationToken);
            seedBand = new SeedBandResult(seeds, SeedBand.Compute(runs, HeadlineMetrics.Of(after)), fromCache);
            seedBandSeconds = watch.Elapsed.TotalSeconds;
        }

        Report(1, "Evidence complete");
        return new DebiasEvidence
        {
            Retrain = retrainEvidence,
            Reweighing = reweighing,
            GroupThresholds = thresholds,
            RandomControl = randomControl,
            SeedBand = seedBand,
            LevellingDown = levellingDown,
            MembershipInference = membership,
            Timings = new EvidenceTimings(retrainSeconds, reweighingSeconds, thresholdSeconds, randomSeconds, seedBandSeconds,
                membershipSeconds, distanceSeconds, warmUpSeconds),
            Skipped = skipped,
        };
    }

    /// <summary>
    /// Wraps an update that changes a model in place as a <see cref="RemovalUpdate"/> that works on a copy of
    /// <paramref name="baseModel"/> and disposes the copy when the update throws.
    /// </summary>
    public static RemovalUpdate InPlace(TrainedModel baseModel, Action<TrainedModel, int[], CancellationToken> update) =>
        (positions, cancellationToken) =>
        {
            var copy = baseModel.Clone();
            try
            {
                update(copy, positions, cancellationToken);
                return copy;
            }
            catch
            {
                copy.Dispose();
                throw;
            }
        };

    /// <summary>Draws <paramref name="count"/> distinct positions below <paramref name="size"/>, ascending, seeded.</summary>
    internal static int[] RandomPositions(int size, int count, int seed)
    {
        var random = new Random(seed);
        int[] all = Enumerable.Range(0, size).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = i + random.Next(size - i);
            (all[i], all[j]) = (all[j], all[i]);
        }

        var chosen = all[..count];
        Array.Sort(chosen);
        return chosen;
    }

    private static RandomControlResult RandomControl(EvidenceInput input, EvidenceOptions options, FairnessReport after, CancellationToken cancellationToken)
    {
        var draws = new List<HeadlineMetrics>();
        int count = input.RemovedPositions.Length;
        for (int draw = 0; draw < options.RandomDraws; draw++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int[] positions = RandomPositions(input.Data.Train.Count, count, options.Seed + draw);
            using var updated = input.Update!(positions, cancellationToken);
            draws.Add(HeadlineMetrics.Of(FairnessEvaluator.Evaluate(updated, input.Data, "test")));
        }

        var mean = new HeadlineMetrics(
            Mean(draws.Select(d => d.Accuracy)),
            Mean(draws.Select(d => d.DemographicParityDifference)),
            Mean(draws.Select(d => d.EqualizedOddsDifference)));
        return new RandomControlResult(count, draws, mean, HeadlineMetrics.Of(after));
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var defined = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return defined.Count > 0 ? defined.Average() : null;
    }

    /// <summary>Trains one epoch on at most 1,024 rows, unweighted and weighted, and discards both models.</summary>
    private static void WarmUp(TrainedModel model, PreparedDataset data, Tensor inputs, Tensor labels, CancellationToken cancellationToken)
    {
        long rows = Math.Min(1024, inputs.shape[0]);
        var settings = model.Spec.Settings with { Epochs = 1 };
        using var someInputs = inputs.narrow(0, 0, rows);
        using var someLabels = labels.narrow(0, 0, rows);
        using var weights = ones_like(someLabels);
        using var plain = ModelTrainer.TrainEncoded(data, settings, model.Encoder, someInputs, someLabels, null, cancellationToken);
        using var weighted = ModelTrainer.TrainEncoded(data, settings, model.Encoder, someInputs, someLabels, null, cancellationToken, weights);
    }

    private static RetrainEvidence RetrainEvidenceOf(EvidenceInput input, TrainedModel retrained, double seconds, FairnessReport? report = null) =>
        new(report ?? FairnessEvaluator.Evaluate(retrained, input.Data, "test"),
            seconds,
            ModelDistances.Between(input.UpdatedModel, retrained, input.Data.Test),
            ModelDistances.Between(input.BaseModel, retrained, input.Data.Test));

    /// <summary>Trains the base model's settings and seed on the training split without the removed rows; returns the model and its seconds.</summary>
    private static (TrainedModel Model, double Seconds) Retrain(EvidenceInput input, Tensor trainInputs, Tensor trainLabels, CancellationToken cancellationToken)
    {
        // No dispose scope here: the returned model's parameters must outlive this method.
        var removed = new HashSet<int>(input.RemovedPositions);
        using var keep = tensor(Enumerable.Range(0, input.Data.Train.Count).Where(i => !removed.Contains(i)).Select(i => (long)i).ToArray());
        using var inputs = trainInputs.index_select(0, keep);
        using var labels = trainLabels.index_select(0, keep);

        var watch = Stopwatch.StartNew();
        var model = ModelTrainer.TrainEncoded(input.Data, input.BaseModel.Spec.Settings, input.BaseModel.Encoder, inputs, labels, null, cancellationToken);
        return (model, watch.Elapsed.TotalSeconds);
    }

    private static MembershipInferenceResult Membership(EvidenceInput input, TrainedModel? retrained, int seed)
    {
        var members = input.Data.Train.Select(input.RemovedPositions);
        var nonMembers = input.Data.Test.Select(MembershipInference.MatchNonMembers(members, input.Data.Test, seed));
        var models = new List<(string Name, TrainedModel Model)> { ("base", input.BaseModel), ("updated", input.UpdatedModel) };
        if (retrained is not null)
            models.Add(("retrained", retrained));

        var aucs = models
            .Select(m => new MembershipAuc(m.Name,
                MembershipInference.AttackAuc(MembershipInference.Losses(m.Model, members), MembershipInference.Losses(m.Model, nonMembers))))
            .ToList();
        return new MembershipInferenceResult(members.Count, nonMembers.Count, aucs);
    }
}
