using Grpc.Core;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Joins the compute server's datasets, models and versions into catalog rows.</summary>
public sealed class ComputeCatalog(
    DatasetService.DatasetServiceClient datasets,
    ModelService.ModelServiceClient models,
    IOptions<ComputeClientOptions> options,
    ILogger<ComputeCatalog> logger) : IComputeCatalog
{
    public async Task<IReadOnlyList<CatalogRow>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var computeUrl = options.Value.ComputeUrl;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(options.Value.CallTimeoutSeconds);
            var datasetResponse = await datasets.ListDatasetsAsync(new ListDatasetsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            var modelResponse = await models.ListModelsAsync(new ListModelsRequest(), deadline: deadline, cancellationToken: cancellationToken);
            var versionResponse = await models.ListVersionsAsync(new ListVersionsRequest(), deadline: deadline, cancellationToken: cancellationToken);

            return CatalogRows.Join(datasetResponse.Datasets, modelResponse.Models, versionResponse.Versions);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The catalog request was cancelled.", exception, cancellationToken);
        }
        catch (RpcException exception)
        {
            WebLog.ComputeCallFailed(logger, computeUrl, exception.StatusCode, exception);
            throw new ComputeUnavailableException(DescribeFailure(exception, computeUrl), exception);
        }
    }

    private static string DescribeFailure(RpcException exception, string computeUrl) => exception.StatusCode switch
    {
        StatusCode.Unavailable =>
            $"The compute server at {computeUrl} is unreachable. Start it (for example with 'dotnet run --project src/UnlearnDashboard.AppHost') " +
            "or set ComputeUrl, then retry.",
        StatusCode.DeadlineExceeded => $"The compute server at {computeUrl} did not respond in time. Retry in a moment.",
        _ => $"The compute server at {computeUrl} returned {exception.StatusCode}: {exception.Status.Detail}",
    };
}
