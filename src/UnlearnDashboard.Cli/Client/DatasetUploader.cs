using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>Uploads CSV or Parquet files with DatasetService.UploadDataset: the spec first, then the files in chunks.</summary>
internal static class DatasetUploader
{
    /// <summary>
    /// Uploads the dataset, or returns the existing one when a dataset of that name already contains
    /// the same training file.
    /// </summary>
    /// <exception cref="RpcException">The server rejected the upload.</exception>
    public static async Task<Dataset> UploadOrReuseAsync(
        DatasetService.DatasetServiceClient datasets,
        LocalDatasetFiles files,
        DatasetSpec spec,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        try
        {
            return await UploadAsync(datasets, files, spec, cancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.AlreadyExists)
        {
            // A name taken by another letter case is not found here; the server's message names the existing dataset.
            Dataset? existing;
            try
            {
                existing = await datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = spec.Name }, cancellationToken: cancellationToken);
            }
            catch (RpcException lookup) when (lookup.StatusCode == StatusCode.NotFound)
            {
                existing = null;
            }

            if (existing is null || !string.Equals(existing.TrainSha256, files.TrainSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw;
            }

            error.WriteLine($"Dataset {spec.Name} already exists with the same training file; using it.");
            return existing;
        }
    }

    private static async Task<Dataset> UploadAsync(
        DatasetService.DatasetServiceClient datasets,
        LocalDatasetFiles files,
        DatasetSpec spec,
        CancellationToken cancellationToken)
    {
        using var call = datasets.UploadDataset(cancellationToken: cancellationToken);
        return await ClientStreams.SendAsync(call, async requests =>
        {
            await requests.WriteAsync(new UploadDatasetChunk { Spec = spec }, cancellationToken);
            await WriteFileAsync(requests, files.TrainPath, DatasetFileRole.Train, cancellationToken);
            if (files.TestPath is not null)
                await WriteFileAsync(requests, files.TestPath, DatasetFileRole.Test, cancellationToken);
        }, cancellationToken);
    }

    private static Task WriteFileAsync(
        IClientStreamWriter<UploadDatasetChunk> requests, string path, DatasetFileRole role, CancellationToken cancellationToken) =>
        ClientStreams.WriteFileAsync(requests, path, data => new UploadDatasetChunk { Chunk = new FileChunk { Role = role, Data = data } }, cancellationToken);
}
