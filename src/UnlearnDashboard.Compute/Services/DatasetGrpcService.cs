using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Audit;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using DatasetPreviewer = UnlearnDashboard.Engine.Data.DatasetPreviewer;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Registers datasets from the import folder or from a chunked upload, lists them, and previews a file.</summary>
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
        var row = await catalog.RegisterAsync(context.Caller().UserName, definition, train, request.TrainPath, test, testPath is null ? null : request.TestPath,
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

            var row = await catalog.RegisterAsync(context.Caller().UserName, definition, train, "uploaded training file", test,
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

    /// <summary>Stages the streamed file, describes its columns with the engine and deletes it again.</summary>
    public override async Task<DatasetPreview> PreviewDataset(IAsyncStreamReader<PreviewDatasetChunk> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        string fileName = "";
        using var file = catalog.CreateStagedFile();
        while (await requestStream.MoveNext(cancellationToken))
        {
            var chunk = requestStream.Current;
            if (fileName.Length == 0)
                fileName = chunk.FileName;
            await UploadReceiver.AppendAsync(file, _options.Upload, chunk.Data.Memory, "data", cancellationToken);
        }

        await file.CompleteAsync(cancellationToken);
        if (file.Length == 0)
            throw RpcErrors.InvalidArgument("data", "The preview received no bytes; send the file's content in data chunks.");

        string source = string.IsNullOrWhiteSpace(fileName) ? "uploaded file" : Path.GetFileName(fileName);
        var preview = await Task.Run(() =>
        {
            using var stream = File.OpenRead(file.Path);
            return DatasetPreviewer.Preview(stream, source, cancellationToken);
        }, cancellationToken);
        return preview.ToProto();
    }

    private void ValidateChunk(FileChunk chunk, long receivedBytes) =>
        UploadReceiver.CheckChunk(_options.Upload, chunk.Data.Length, receivedBytes, "chunk.data");

    private string ResolveImportPath(string relativePath, string field) => UploadReceiver.ResolveImportPath(_options, relativePath, field);
}
