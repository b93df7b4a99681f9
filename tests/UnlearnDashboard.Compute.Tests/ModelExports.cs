using Grpc.Core;
using Grpc.Net.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>Downloads a model version through the ExportModel stream, as a client that keeps the whole file does.</summary>
internal static class ModelExports
{
    /// <summary>Returns the export's header and the weights file's bytes; <paramref name="channel"/> must carry the compliance role.</summary>
    public static async Task<(ExportModelHeader Header, byte[] Bytes)> DownloadAsync(GrpcChannel channel, string versionId)
    {
        using var call = new InteropService.InteropServiceClient(channel).ExportModel(new ExportModelRequest { VersionId = versionId });
        ExportModelHeader? header = null;
        using var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (chunk.ContentCase == ExportModelChunk.ContentOneofCase.Header)
                header = chunk.Header;
            else
                chunk.Data.WriteTo(bytes);
        }

        return (header ?? throw new InvalidOperationException("The export sent no header."), bytes.ToArray());
    }
}
