using Grpc.Core;
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
    public async Task<CatalogSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var computeUrl = options.Value.ComputeUrl;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(options.Value.CallTimeoutSeconds);
            var datasetResponse = await datasets.ListDatasetsAsync(new ListDatasetsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            var modelResponse = await models.ListModelsAsync(new ListModelsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            var versionResponse = await models.ListVersionsAsync(new ListVersionsRequest(), deadline: deadline, cancellationToken: cancellationToken);

            return new CatalogSnapshot(datasetResponse.Datasets, modelResponse.Models, versionResponse.Versions);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The catalog request was cancelled.", exception, cancellationToken);
        }
        catch (RpcException exception)
        {
            WebLog.ComputeCallFailed(logger, computeUrl, exception.StatusCode, exception);
            throw new ComputeUnavailableException(ComputeErrors.Describe(exception, computeUrl), exception);
        }
    }
}
