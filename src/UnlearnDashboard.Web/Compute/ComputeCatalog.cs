using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Reads the compute server's datasets, models and versions.</summary>
public sealed class ComputeCatalog(
    DatasetService.DatasetServiceClient datasets,
    ModelService.ModelServiceClient models,
    IOptions<ComputeClientOptions> options,
    ILogger<ComputeCatalog> logger) : IComputeCatalog
{
    public Task<CatalogSnapshot> GetSnapshotAsync(CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(async deadline =>
        {
            var datasetResponse = await datasets.ListDatasetsAsync(new ListDatasetsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            var modelResponse = await models.ListModelsAsync(new ListModelsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            var versionResponse = await models.ListVersionsAsync(new ListVersionsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            return new CatalogSnapshot(datasetResponse.Datasets, modelResponse.Models, versionResponse.Versions);
        }, options.Value, logger, "The catalog request", cancellationToken);
}
