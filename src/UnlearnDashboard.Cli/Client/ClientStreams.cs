using Google.Protobuf;
using Grpc.Core;

namespace UnlearnDashboard.Cli.Client;

/// <summary>Sends client-streaming calls: messages first, then the file in chunks, then the response.</summary>
internal static class ClientStreams
{
    /// <summary>Chunk size, 64 KiB; the server accepts up to 1 MiB.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Runs <paramref name="write"/> on the call's request stream, completes it and returns the response. The server
    /// may reject the call, for example for an invalid header, before it reads every message. The next write then
    /// fails, and the response carries the real status, which this method throws as an <see cref="RpcException"/>.
    /// </summary>
    public static async Task<TResponse> SendAsync<TRequest, TResponse>(
        AsyncClientStreamingCall<TRequest, TResponse> call,
        Func<IClientStreamWriter<TRequest>, Task> write,
        CancellationToken cancellationToken)
    {
        try
        {
            await write(call.RequestStream);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The response below carries the server's status.
        }

        return await call.ResponseAsync;
    }

    /// <summary>Writes the file at <paramref name="path"/> in chunks of <see cref="ChunkBytes"/>, each wrapped by <paramref name="message"/>.</summary>
    public static async Task WriteFileAsync<TRequest>(
        IClientStreamWriter<TRequest> requestStream,
        string path,
        Func<ByteString, TRequest> message,
        CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var buffer = new byte[ChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            await requestStream.WriteAsync(message(ByteString.CopyFrom(buffer, 0, read)), cancellationToken);
    }
}
