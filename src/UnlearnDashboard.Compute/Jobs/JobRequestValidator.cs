using System.Globalization;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// A checked job request: the dataset, base version and approved counterfactual set it uses, ready to store.
/// </summary>
public sealed record ValidatedJob(
    DatasetRow Dataset,
    ModelVersionRow? BaseVersion,
    double? DeadlineSeconds,
    CounterfactualSetRow? CounterfactualSet = null);

/// <summary>
/// Checks job requests before they are queued, so a bad request fails at once with NOT_FOUND,
/// FAILED_PRECONDITION or INVALID_ARGUMENT naming the proto field and value.
/// </summary>
public sealed class JobRequestValidator(DatasetCatalog datasets, ModelCatalog models, CounterfactualCatalog counterfactuals)
{
    // CancellationTokenSource timers accept at most about 49.7 days; 30 days keeps clear of that.
    private const double MaxDeadlineSeconds = 30 * 24 * 3600;

    public async Task<ValidatedJob> ValidateAsync(Proto.TrainModelRequest request, CancellationToken cancellationToken)
    {
        var dataset = await datasets.ResolveAsync(request.Dataset, "dataset", cancellationToken);
        request.Settings.ToEngine("settings");
        RejectHiddenWithLogisticRegression(request.Settings);
        return new ValidatedJob(dataset, null, null);
    }

    /// <summary>
    /// Rejects hidden widths for logistic regression, which has none. Training would ignore them, while the stored
    /// request would still list them.
    /// </summary>
    private static void RejectHiddenWithLogisticRegression(Proto.ModelSettings? settings)
    {
        if (settings is not { Architecture: Proto.Architecture.LogisticRegression, Hidden.Count: > 0 })
            return;

        string widths = string.Join(", ", settings.Hidden);
        throw EngineException.Invalid("settings.hidden",
            $"settings.hidden is [{widths}], but ARCHITECTURE_LOGISTIC_REGRESSION has no hidden layers; leave settings.hidden empty.",
            widths);
    }

    public async Task<ValidatedJob> ValidateAsync(Proto.DebiasRequest request, CancellationToken cancellationToken)
    {
        var dataset = await datasets.ResolveAsync(request.Dataset, "dataset", cancellationToken);
        var options = request.ToOptions();
        var definition = DatasetMapper.DefinitionFromJson(dataset.DefinitionJson);

        if (!string.IsNullOrEmpty(request.SensitiveAttribute) && request.SensitiveAttribute != definition.SensitiveColumn)
        {
            throw EngineException.Invalid("sensitive_attribute",
                $"sensitive_attribute '{request.SensitiveAttribute}' is not the sensitive column of dataset {dataset.Name}; use '{definition.SensitiveColumn}'.",
                request.SensitiveAttribute);
        }

        // The request's own fields come before the stored state, so a missing set or model never hides a wrong value.
        // A field the method ignores is reported as ignored even when its value is also out of range, because a valid
        // value would still have no effect.
        RejectIgnoredFields(request, options.Method);
        RejectIgnoredSeed(request, options);
        RejectIgnoredEvidenceCounts(request, options);
        WithoutSetRequirement(options).Validate();
        RejectRepeatedLayers(request.Layers);
        double? deadline = ValidateDeadline(request);

        var counterfactualSet = await ResolveCounterfactualSetAsync(request, options, dataset, cancellationToken);
        var version = await ResolveBaseVersionAsync(request, dataset, cancellationToken);
        ValidateLayers(request.Layers, ModelSpec.FromJson(version.SpecJson));
        return new ValidatedJob(dataset, version, deadline, counterfactualSet);
    }

    /// <summary>
    /// Returns the approved set the request names or, when it names none and its method uses counterfactuals,
    /// the dataset's most recently approved set. Throws FAILED_PRECONDITION naming the set and its status for
    /// a set that is not approved, and when a method that needs a set finds none.
    /// </summary>
    private async Task<CounterfactualSetRow?> ResolveCounterfactualSetAsync(
        Proto.DebiasRequest request,
        DebiasOptions options,
        DatasetRow dataset,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.CounterfactualSetId))
        {
            if (!options.UsesCounterfactuals())
                return null;

            var latest = await counterfactuals.FindLatestApprovedAsync(dataset.Id, cancellationToken);
            if (latest is null && options.NeedsCounterfactualSet())
            {
                throw RpcErrors.FailedPrecondition("counterfactual_set_id",
                    $"{MethodAndObjective(options)} needs an approved counterfactual set, and dataset {dataset.Name} has none; generate one ('unlearn counterfactuals generate' or GenerateCounterfactualSet) and have another person approve it ('unlearn counterfactuals approve').");
            }

            if (latest is not null)
                await counterfactuals.RequireRecordedApprovalAsync(latest, "counterfactual_set_id", cancellationToken);
            return latest;
        }

        if (!options.UsesCounterfactuals())
        {
            throw RpcErrors.InvalidArgument("counterfactual_set_id",
                $"{MethodAndObjective(options)} uses no counterfactual set, so set "
                + $"{request.CounterfactualSetId} would be ignored. Leave counterfactual_set_id empty, or choose a method "
                + "that uses the set: counterfactual-replacement, saliency-masked, counterfactual-fine-tune or data-free.");
        }

        var set = await counterfactuals.GetAsync(request.CounterfactualSetId, "counterfactual_set_id", cancellationToken);
        if (set.DatasetId != dataset.Id)
        {
            throw RpcErrors.InvalidArgument("counterfactual_set_id",
                $"Counterfactual set {set.Id} belongs to another dataset, not {dataset.Name}; pass a set of that dataset.");
        }

        if (set.Status != (int)Proto.CounterfactualSetStatus.Approved)
        {
            // Only a pending set can still be approved, so a rejected or withdrawn one needs a new set.
            string next = set.Status == (int)Proto.CounterfactualSetStatus.Pending
                ? $"Have a reviewer other than {set.RequestedBy} approve it, or generate a new one."
                : "Generate a new set and have it approved.";
            throw RpcErrors.FailedPrecondition("counterfactual_set_id",
                $"Counterfactual set {set.Id} is {CounterfactualCatalog.StatusName(set.Status)}; only an APPROVED set can be used. {next}");
        }

        await counterfactuals.RequireRecordedApprovalAsync(set, "counterfactual_set_id", cancellationToken);
        return set;
    }

    /// <summary>
    /// Fields that only some methods read, with the test for those methods. A request that sets one for another method
    /// is rejected, as a counterfactual set is, so that a value the job would ignore never looks as if it had an effect.
    /// </summary>
    private static readonly (string Field, Func<Proto.DebiasRequest, string?> ValueIfSet, Func<DebiasMethod, bool> Reads)[] MethodFields =
    [
        ("remove_fraction", r => r.HasRemoveFraction ? Text(r.RemoveFraction) : null, DebiasMethods.RanksSamples),
        ("damping", r => r.HasDamping ? Text(r.Damping) : null, DebiasMethods.RanksSamples),
        ("solver", r => r.Solver == Proto.InfluenceSolver.Unspecified ? null : ProtoNames.Of(r.Solver), DebiasMethods.RanksSamples),
        ("curvature", r => r.Curvature == Proto.Curvature.Unspecified ? null : ProtoNames.Of(r.Curvature), DebiasMethods.RanksSamples),

        // The retrain leaves out the removed samples, and a method that ranks nothing removes none.
        ("compare_retrain", r => r.CompareRetrain ? "true" : null, DebiasMethods.RanksSamples),

        // Fine-tuning and data-free reduce the counterfactual gap on their set whatever the objective is.
        ("objective", r => r.Objective == Proto.BiasObjective.Unspecified ? null : ProtoNames.Of(r.Objective), DebiasMethods.RanksSamples),
        ("newton_steps", r => r.HasNewtonSteps ? Text(r.NewtonSteps) : null, m => m == DebiasMethod.InfluenceNewton),
        ("counterfactual_weight", r => r.HasCounterfactualWeight ? Text(r.CounterfactualWeight) : null,
            m => m is DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree),
        ("distillation_weight", r => r.HasDistillationWeight ? Text(r.DistillationWeight) : null, m => m == DebiasMethod.DataFree),
        ("retain_weight", r => r.HasRetainWeight ? Text(r.RetainWeight) : null, m => m == DebiasMethod.GradientAscent),
        ("saliency_fraction", r => r.HasSaliencyFraction ? Text(r.SaliencyFraction) : null, m => m == DebiasMethod.SaliencyMasked),
        ("saliency", r => r.Saliency == Proto.Saliency.Unspecified ? null : ProtoNames.Of(r.Saliency), m => m == DebiasMethod.SaliencyMasked),
        ("steps", r => r.HasSteps ? Text(r.Steps) : null, DebiasMethods.TakesOptimiserSteps),
        ("learning_rate", r => r.HasLearningRate ? Text(r.LearningRate) : null, DebiasMethods.TakesOptimiserSteps),
        ("batch_size", r => r.HasBatchSize ? Text(r.BatchSize) : null, DebiasMethods.TakesOptimiserSteps),
    ];

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void RejectIgnoredFields(Proto.DebiasRequest request, DebiasMethod method)
    {
        foreach (var (field, valueIfSet, reads) in MethodFields)
        {
            if (valueIfSet(request) is not { } value || reads(method))
                continue;

            var readers = Enum.GetValues<DebiasMethod>().Where(reads).Select(DebiasMethods.Name).ToList();
            string next = readers.Count == 1
                ? $"only {readers[0]} reads it. Leave {field} unset, or choose that method"
                : $"only {string.Join(", ", readers[..^1])} and {readers[^1]} read it. Leave {field} unset, or choose one of those methods";
            throw EngineException.Invalid(field, $"Method {DebiasMethods.Name(method)} ignores {field} ({value}); {next}.", value);
        }
    }

    /// <summary>Rejects an evidence count whose part is off, because the job would ignore it.</summary>
    private static void RejectIgnoredEvidenceCounts(Proto.DebiasRequest request, DebiasOptions options)
    {
        var evidence = request.Evidence;
        if (evidence is null || options.Evidence is not { } parts)
            return;

        if (evidence.HasRandomDraws && !parts.RandomControl)
        {
            string value = Text(evidence.RandomDraws);
            throw EngineException.Invalid("evidence.random_draws",
                $"evidence.random_draws ({value}) is read only by the random-removal control, which evidence.random_control turns off; leave random_draws unset, or turn the control on.", value);
        }

        if (evidence.HasSeedBandSeeds && !parts.SeedBand)
        {
            string value = Text(evidence.SeedBandSeeds);
            throw EngineException.Invalid("evidence.seed_band_seeds",
                $"evidence.seed_band_seeds ({value}) is read only by the seed-noise band, which is off; leave seed_band_seeds unset, or set evidence.seed_band.", value);
        }
    }

    /// <summary>Names the method, and the objective for a method that reads one, as the subject of a message.</summary>
    private static string MethodAndObjective(DebiasOptions options) => DebiasMethods.RanksSamples(options.Method)
        ? $"Method {DebiasMethods.Name(options.Method)} with objective {DebiasMethods.Name(options.Objective)}"
        : $"Method {DebiasMethods.Name(options.Method)}";

    private static void RejectIgnoredSeed(Proto.DebiasRequest request, DebiasOptions options)
    {
        if (!request.HasSeed || DebiasMethods.ReadsSeed(options.Method, options.Solver))
            return;

        // Every method that takes no optimiser steps ranks samples, so only the solver can make it read the seed.
        string value = request.Seed.ToString(CultureInfo.InvariantCulture);
        throw EngineException.Invalid("seed",
            $"Method {DebiasMethods.Name(options.Method)} ignores seed ({value}) unless solver is INFLUENCE_SOLVER_LISSA, because conjugate "
            + "gradients draw nothing at random; gradient-ascent, counterfactual-fine-tune and data-free read it too. Leave seed unset, "
            + "or set solver to INFLUENCE_SOLVER_LISSA.",
            value);
    }

    /// <summary>
    /// Returns options that <see cref="DebiasOptions.Validate"/> checks without its counterfactual-set rule,
    /// because the set's rows are read only when the job runs and the rule is checked above against the
    /// stored set instead.
    /// </summary>
    private static DebiasOptions WithoutSetRequirement(DebiasOptions options) => options with
    {
        Method = options.Method is DebiasMethod.CounterfactualFineTune or DebiasMethod.DataFree
            ? DebiasMethod.CounterfactualReplacement
            : options.Method,
        Objective = options.Objective == BiasObjectiveKind.CounterfactualGap ? BiasObjectiveKind.DemographicParity : options.Objective,
    };

    private async Task<ModelVersionRow> ResolveBaseVersionAsync(Proto.DebiasRequest request, DatasetRow dataset, CancellationToken cancellationToken)
    {
        string? versionId = string.IsNullOrEmpty(request.ModelVersionId) ? dataset.DefaultModelVersionId : request.ModelVersionId;
        if (versionId is null)
        {
            throw RpcErrors.FailedPrecondition("model_version_id",
                $"Dataset {dataset.Name} has no default model version yet. After a first start, the demo training sets it when "
                + "its job finishes ('unlearn jobs list' shows it); otherwise train a model ('unlearn train' or TrainModel), or pass model_version_id.");
        }

        var version = await models.GetVersionAsync(versionId, "model_version_id", cancellationToken);
        var model = await models.FindModelAsync(version.ModelId, cancellationToken);
        if (model?.DatasetId != dataset.Id)
        {
            throw EngineException.Invalid("model_version_id",
                $"Model version {versionId} was not trained on dataset {dataset.Name}; pass a version of a model of that dataset.",
                versionId);
        }

        Erasures.ErasureCommitter.RequireDebiasBaseCurrent(version, dataset);
        return version;
    }

    /// <summary>
    /// Rejects a repeated layer name, which no model makes valid, so debias and erasure requests check it before they
    /// look up the version.
    /// </summary>
    internal static void RejectRepeatedLayers(IReadOnlyList<string> layers)
    {
        // An empty name is reported with the model's layer names, once the version is known.
        string? repeated = layers.Where(l => !string.IsNullOrWhiteSpace(l)).GroupBy(l => l).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (repeated is not null)
            throw EngineException.Invalid("layers", $"layers names '{repeated}' more than once; name each layer once.", repeated);
    }

    private static void ValidateLayers(IReadOnlyList<string> layers, ModelSpec spec)
    {
        var known = spec.Layers.Select(l => l.Name).ToList();
        if (layers is [DebiasOptions.AutoLayers])
            return;

        foreach (var (layer, index) in layers.Select((layer, index) => (layer, index)))
        {
            if (string.IsNullOrWhiteSpace(layer))
            {
                throw EngineException.Invalid("layers",
                    $"layers[{index}] is empty; name a layer of this model ({string.Join(", ", known)}), or leave layers empty for the last one.", layer);
            }

            if (!known.Contains(layer))
            {
                throw EngineException.Invalid("layers",
                    $"layers names '{layer}', which this model does not have; use one of {string.Join(", ", known)}.", layer);
            }
        }
    }

    private static double? ValidateDeadline(Proto.DebiasRequest request)
    {
        if (!request.HasDeadlineSeconds)
            return null;

        double seconds = request.DeadlineSeconds;
        if (!(seconds > 0 && seconds <= MaxDeadlineSeconds))
        {
            throw EngineException.Invalid("deadline_seconds",
                $"deadline_seconds must be in (0, {MaxDeadlineSeconds:0}]; got {seconds:R}.", seconds.ToString("R"));
        }

        return seconds;
    }
}
