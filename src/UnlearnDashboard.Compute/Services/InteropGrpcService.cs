using Google.Protobuf;
using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Interop;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Imports PyTorch and safetensors weights as model versions and exports versions as safetensors.</summary>
public sealed class InteropGrpcService(ModelTransfer transfer, ArtifactStore artifacts, IOptions<ComputeOptions> options)
    : Proto.InteropService.InteropServiceBase
{
    /// <summary>Size of each data chunk of an export, 1 MiB: a quarter of gRPC's 4 MiB default message limit.</summary>
    internal const int ExportChunkBytes = 1024 * 1024;

    private readonly ComputeOptions _options = options.Value;

    public override async Task<Proto.ImportModelResponse> ImportModel(IAsyncStreamReader<Proto.ImportModelChunk> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken) || requestStream.Current.ContentCase != Proto.ImportModelChunk.ContentOneofCase.Header)
            throw RpcErrors.InvalidArgument("header", "The first message of an import must carry the header; send it before any data.");

        var header = requestStream.Current.Header;
        if (!string.IsNullOrWhiteSpace(header.Name) && !DatasetMapper.IsValidName(header.Name.Trim()))
            throw RpcErrors.InvalidArgument("header.name", $"header.name '{header.Name}' is invalid; {DatasetMapper.NameRule}.");
        if (string.IsNullOrWhiteSpace(header.SpecJson))
            throw RpcErrors.InvalidArgument("header.spec_json", "header.spec_json is empty; pass the JSON spec that describes the layers and the preprocessing.");

        using var staged = artifacts.CreateStagedFile();
        while (await requestStream.MoveNext(cancellationToken))
        {
            if (requestStream.Current.ContentCase != Proto.ImportModelChunk.ContentOneofCase.Data)
                throw RpcErrors.InvalidArgument("header", "The header was sent twice; send it only in the first message.");
            if (!string.IsNullOrEmpty(header.ImportPath))
                throw RpcErrors.InvalidArgument("data", "The header names header.import_path, so the call must not carry data; send one or the other.");

            await UploadReceiver.AppendAsync(staged, _options.Upload, requestStream.Current.Data.Memory, "data", cancellationToken);
        }

        await staged.CompleteAsync(cancellationToken);
        byte[] weights;
        string source;
        string weightsField;
        if (!string.IsNullOrEmpty(header.ImportPath))
        {
            string path = UploadReceiver.ResolveImportPath(_options, header.ImportPath, "header.import_path");
            long length = new FileInfo(path).Length;
            if (length > _options.Upload.MaxTotalBytes)
                throw RpcErrors.ResourceExhausted($"{header.ImportPath} has {length} bytes, over the limit of {_options.Upload.MaxTotalBytes} bytes (Upload:MaxTotalBytes).");

            weights = await File.ReadAllBytesAsync(path, cancellationToken);
            source = header.ImportPath;
            weightsField = "header.import_path";
        }
        else
        {
            if (staged.Length == 0)
                throw RpcErrors.InvalidArgument("data", "The import carries no weights; send the file in data chunks or name it in header.import_path.");

            weights = await File.ReadAllBytesAsync(staged.Path, cancellationToken);
            source = string.IsNullOrWhiteSpace(header.FileName) ? "the uploaded weights" : Path.GetFileName(header.FileName);
            weightsField = "data";
        }

        return await transfer.ImportAsync(context.Caller().UserName, header, weights, source, "header.spec_json", weightsField, cancellationToken);
    }

    public override async Task ExportModel(Proto.ExportModelRequest request, IServerStreamWriter<Proto.ExportModelChunk> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var export = await transfer.ExportAsync(context.Caller().UserName, request.VersionId, cancellationToken);

        await responseStream.WriteAsync(new Proto.ExportModelChunk { Header = export.Header }, cancellationToken);
        for (int offset = 0; offset < export.Safetensors.Length; offset += ExportChunkBytes)
        {
            int length = Math.Min(ExportChunkBytes, export.Safetensors.Length - offset);
            var data = ByteString.CopyFrom(export.Safetensors, offset, length);
            await responseStream.WriteAsync(new Proto.ExportModelChunk { Data = data }, cancellationToken);
        }
    }
}
