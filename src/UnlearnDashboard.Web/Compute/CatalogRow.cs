namespace UnlearnDashboard.Web.Compute;

/// <summary>A model version with its dataset and test-split fairness, or a dataset that has no version yet.</summary>
/// <param name="VersionId">Null for a dataset without versions.</param>
/// <param name="Accuracy">Null when undefined or not measured, like the other metrics.</param>
/// <param name="Created">When the version was created, or the dataset when there is no version.</param>
public sealed record CatalogRow(
    string Dataset,
    string? VersionId,
    double? Accuracy,
    double? DemographicParityDifference,
    double? DisparateImpactRatio,
    DateTimeOffset? Created);
