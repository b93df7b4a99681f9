using Google.Protobuf;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Client;

/// <summary>Uploads CSV or Parquet files with DatasetService.UploadDataset: the spec first, then the files in chunks.</summary>
internal static class DatasetUploader
{
    /// <summary>Chunk size, 64 KiB; the server accepts up to 1 MiB.</summary>
    public const int ChunkBytes = 64 * 1024;

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
            var existing = await datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = spec.Name }, cancellationToken: cancellationToken);
            if (!string.Equals(existing.TrainSha256, files.TrainSha256, StringComparison.OrdinalIgnoreCase))
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
        try
        {
            await call.RequestStream.WriteAsync(new UploadDatasetChunk { Spec = spec }, cancellationToken);
            await WriteFileAsync(call.RequestStream, files.TrainPath, DatasetFileRole.Train, cancellationToken);
            if (files.TestPath is not null)
            {
                await WriteFileAsync(call.RequestStream, files.TestPath, DatasetFileRole.Test, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The server may reject the upload (for example an invalid spec) before reading every chunk.
            // The next write then fails, and the response carries the real status.
            return await call.ResponseAsync;
        }

        return await call.ResponseAsync;
    }

    private static async Task WriteFileAsync(
        IClientStreamWriter<UploadDatasetChunk> requestStream,
        string path,
        DatasetFileRole role,
        CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var buffer = new byte[ChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var chunk = new FileChunk { Role = role, Data = ByteString.CopyFrom(buffer, 0, read) };
            await requestStream.WriteAsync(new UploadDatasetChunk { Chunk = chunk }, cancellationToken);
        }
    }
}
