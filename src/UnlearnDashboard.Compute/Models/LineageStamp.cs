using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Models;

/// <summary>Records on a new version what it was made from: the dataset's files and version, the counterfactual set and the server build.</summary>
internal static class LineageStamp
{
    public static void Apply(ModelVersionRow version, DatasetRow dataset, string? counterfactualSetId)
    {
        version.DatasetTrainSha256 = dataset.TrainSha256;
        version.DatasetTestSha256 = dataset.TestSha256;
        version.DatasetVersion = dataset.Version;
        version.CounterfactualSetId = string.IsNullOrEmpty(counterfactualSetId) ? null : counterfactualSetId;
        version.ProductVersion = ProductInfo.Version;
        version.SourceRevision = ProductInfo.SourceRevision;
    }
}
