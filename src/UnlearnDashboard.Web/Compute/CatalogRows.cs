using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Builds catalog rows from the compute server's list responses.</summary>
public static class CatalogRows
{
    /// <summary>
    /// Returns the versions, newest first, each with its dataset's name, followed by the datasets that
    /// have no version. A version whose model or dataset is missing shows the id it refers to.
    /// </summary>
    public static IReadOnlyList<CatalogRow> Join(
        IEnumerable<Dataset> datasets,
        IEnumerable<Model> models,
        IEnumerable<ModelVersion> versions)
    {
        var datasetList = datasets.ToList();
        var datasetNames = datasetList.ToDictionary(dataset => dataset.Id, DatasetName);
        var datasetOfModel = models.ToDictionary(model => model.Id, model => model.DatasetId);
        var datasetsWithVersions = new HashSet<string>();
        var rows = new List<CatalogRow>();

        foreach (var version in versions.OrderByDescending(version => version.CreatedAt?.ToDateTimeOffset()))
        {
            var datasetId = datasetOfModel.GetValueOrDefault(version.ModelId, "");
            datasetsWithVersions.Add(datasetId);
            var report = version.TestReport ?? new FairnessReport();
            rows.Add(new CatalogRow(
                datasetNames.GetValueOrDefault(datasetId, datasetId.Length > 0 ? datasetId : $"model {version.ModelId}"),
                version.Id,
                report.HasAccuracy ? report.Accuracy : null,
                report.HasDemographicParityDifference ? report.DemographicParityDifference : null,
                report.HasDisparateImpactRatio ? report.DisparateImpactRatio : null,
                version.CreatedAt?.ToDateTimeOffset()));
        }

        foreach (var dataset in datasetList.Where(dataset => !datasetsWithVersions.Contains(dataset.Id)))
        {
            rows.Add(new CatalogRow(DatasetName(dataset), null, null, null, null, dataset.CreatedAt?.ToDateTimeOffset()));
        }

        return rows;
    }

    private static string DatasetName(Dataset dataset) =>
        string.IsNullOrEmpty(dataset.Spec?.Name) ? dataset.Id : dataset.Spec.Name;
}
