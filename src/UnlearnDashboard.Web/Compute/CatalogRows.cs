using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Builds catalog rows from the compute server's datasets, models and versions.</summary>
public static class CatalogRows
{
    /// <summary>
    /// Returns the versions, newest first, each with its dataset's name, followed by the datasets that
    /// have no version. A version whose model or dataset is missing shows the id it refers to.
    /// </summary>
    public static IReadOnlyList<CatalogRow> Join(CatalogSnapshot snapshot)
    {
        var datasetNames = snapshot.Datasets.ToDictionary(dataset => dataset.Id, DatasetName);
        var modelsById = snapshot.Models.ToDictionary(model => model.Id);
        var datasetsWithVersions = new HashSet<string>();
        var rows = new List<CatalogRow>();

        foreach (var version in snapshot.Versions.OrderByDescending(version => version.CreatedAt?.ToDateTimeOffset()))
        {
            var model = modelsById.GetValueOrDefault(version.ModelId);
            var datasetId = model?.DatasetId ?? "";
            datasetsWithVersions.Add(datasetId);
            rows.Add(new CatalogRow(
                datasetNames.GetValueOrDefault(datasetId, datasetId.Length > 0 ? datasetId : $"model {version.ModelId}"),
                datasetId,
                model?.Name,
                version.Id,
                string.IsNullOrEmpty(version.ParentVersionId) ? null : version.ParentVersionId,
                version.TestReport.ToSummary() ?? new FairnessSummary(),
                version.RemovedSampleCount,
                version.CreatedAt?.ToDateTimeOffset(),
                version.ModelId,
                version.Aliases.Count == 0 ? null : version.Aliases.ToList(),
                string.IsNullOrEmpty(version.JobId) ? null : version.JobId));
        }

        foreach (var dataset in snapshot.Datasets.Where(dataset => !datasetsWithVersions.Contains(dataset.Id)))
        {
            rows.Add(new CatalogRow(DatasetName(dataset), dataset.Id, null, null, null, null, 0, dataset.CreatedAt?.ToDateTimeOffset()));
        }

        return rows;
    }

    public static string DatasetName(Dataset dataset) =>
        string.IsNullOrEmpty(dataset.Spec?.Name) ? dataset.Id : dataset.Spec.Name;
}
