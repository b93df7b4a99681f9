using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Compute;

/// <summary>A model version with its dataset, model and test-split fairness, or a dataset that has no version yet.</summary>
/// <param name="DatasetId">Empty when the version's model or dataset is missing.</param>
/// <param name="VersionId">Null for a dataset without versions.</param>
/// <param name="ParentVersionId">The version this one was debiased from; null for a trained version.</param>
/// <param name="TestReport">Null for a dataset without versions.</param>
/// <param name="Created">When the version was created, or the dataset when there is no version.</param>
/// <param name="ModelId">The version's model; null for a dataset without versions.</param>
/// <param name="Aliases">Aliases of the model that point at the version, such as "champion"; null when none does.</param>
/// <param name="JobId">The job that made the version; null for an imported version or a dataset without versions.</param>
public sealed record CatalogRow(
    string Dataset,
    string DatasetId,
    string? ModelName,
    string? VersionId,
    string? ParentVersionId,
    FairnessSummary? TestReport,
    long RemovedSampleCount,
    DateTimeOffset? Created,
    string? ModelId = null,
    IReadOnlyList<string>? Aliases = null,
    string? JobId = null);
