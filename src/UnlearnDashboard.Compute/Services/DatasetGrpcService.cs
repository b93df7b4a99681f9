using Grpc.Core;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Registers datasets from the import folder or from a chunked upload, and lists them.</summary>
public sealed class DatasetGrpcService(DatasetCatalog catalog, IOptions<ComputeOptions> options) : DatasetService.DatasetServiceBase
{
    private readonly ComputeOptions _options = options.Value;

    public override async Task<Dataset> RegisterDataset(RegisterDatasetRequest request, ServerCallContext context)
    {
        var definition = request.Spec.ToDefinition();
        string trainPath = ResolveImportPath(request.TrainPath, "train_path");
        string? testPath = string.IsNullOrEmpty(request.TestPath) ? null : ResolveImportPath(request.TestPath, "test_path");

        using var train = await catalog.StageAsync(trainPath, context.CancellationToken);
        using var test = testPath is null ? null : await catalog.StageAsync(testPath, context.CancellationToken);
        var row = await catalog.RegisterAsync(definition, train, request.TrainPath, test, testPath is null ? null : request.TestPath,
            context.CancellationToken);
        return row.ToProto();
    }

    public override async Task<Dataset> UploadDataset(IAsyncStreamReader<UploadDatasetChunk> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken) || requestStream.Current.ContentCase != UploadDatasetChunk.ContentOneofCase.Spec)
            throw RpcErrors.InvalidArgument("spec", "The first message of an upload must carry the dataset spec; send it before any chunk.");

        var definition = requestStream.Current.Spec.ToDefinition();
        StagedFile? train = null;
        StagedFile? test = null;
        try
        {
            long total = 0;
            while (await requestStream.MoveNext(cancellationToken))
            {
                var chunk = requestStream.Current.Chunk
                            ?? throw RpcErrors.InvalidArgument("spec", "The spec was sent twice; send it only in the first message.");
                ValidateChunk(chunk, total);
                total += chunk.Data.Length;

                var file = chunk.Role switch
                {
                    DatasetFileRole.Train => train ??= catalog.CreateStagedFile(),
                    DatasetFileRole.Test => test ??= catalog.CreateStagedFile(),
                    _ => throw RpcErrors.InvalidArgument("chunk.role",
                        $"chunk.role {(int)chunk.Role} is unknown; use DATASET_FILE_ROLE_TRAIN or DATASET_FILE_ROLE_TEST."),
                };
                await file.WriteAsync(chunk.Data.Memory, cancellationToken);
            }

            if (train is null)
                throw RpcErrors.InvalidArgument("chunk.role", "The upload has no training file; send chunks with role DATASET_FILE_ROLE_TRAIN.");

            await train.CompleteAsync(cancellationToken);
            if (test is not null)
                await test.CompleteAsync(cancellationToken);

            var row = await catalog.RegisterAsync(definition, train, "uploaded training file", test,
                test is null ? null : "uploaded test file", cancellationToken);
            return row.ToProto();
        }
        finally
        {
            train?.Dispose();
            test?.Dispose();
        }
    }

    public override async Task<Dataset> GetDataset(GetDatasetRequest request, ServerCallContext context)
    {
        var row = await catalog.ResolveAsync(request.Dataset, "dataset", context.CancellationToken);
        return row.ToProto();
    }

    public override async Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context)
    {
        var rows = await catalog.ListAsync(context.CancellationToken);
        return new ListDatasetsResponse { Datasets = { rows.Select(r => r.ToProto()) } };
    }

    private void ValidateChunk(FileChunk chunk, long receivedBytes)
    {
        var limits = _options.Upload;
        if (chunk.Data.Length > limits.MaxChunkBytes)
        {
            throw RpcErrors.InvalidArgument("chunk.data",
                $"A chunk of {chunk.Data.Length} bytes is over the limit of {limits.MaxChunkBytes} bytes; send smaller chunks (64 KiB works well).");
        }

        if (receivedBytes + chunk.Data.Length > limits.MaxTotalBytes)
        {
            throw RpcErrors.ResourceExhausted(
                $"The upload is over the limit of {limits.MaxTotalBytes} bytes (Upload:MaxTotalBytes); at least {receivedBytes + chunk.Data.Length} bytes were sent.");
        }
    }

    /// <summary>
    /// Resolves a path relative to the import folder. Absolute paths and '..' segments are rejected with
    /// INVALID_ARGUMENT naming the field; a missing file is NOT_FOUND.
    /// </summary>
    private string ResolveImportPath(string relativePath, string field)
    {
        if (string.IsNullOrWhiteSpace(relativePath))
            throw RpcErrors.InvalidArgument(field, $"{field} is empty; pass a path relative to the import folder.");
        if (Path.IsPathRooted(relativePath) || relativePath.StartsWith('~'))
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} '{relativePath}' is absolute; pass a path relative to the import folder, or upload the file with UploadDataset.");
        }

        var segments = relativePath.Split('/', '\\');
        if (segments.Contains(".."))
            throw RpcErrors.InvalidArgument(field, $"{field} '{relativePath}' contains '..'; pass a path inside the import folder.");

        string root = Path.GetFullPath(_options.ImportPath) + Path.DirectorySeparatorChar;
        string fullPath = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!fullPath.StartsWith(root, StringComparison.Ordinal))
            throw RpcErrors.InvalidArgument(field, $"{field} '{relativePath}' is outside the import folder; pass a path inside it.");
        if (!File.Exists(fullPath))
            throw RpcErrors.NotFound($"{field} '{relativePath}' was not found in the import folder {_options.ImportPath}.");

        return fullPath;
    }
}
