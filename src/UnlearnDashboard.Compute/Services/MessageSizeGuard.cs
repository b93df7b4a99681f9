using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Hosting;

namespace UnlearnDashboard.Compute.Services;

/// <summary>
/// Rejects a gRPC request message over the server's receive limit with RESOURCE_EXHAUSTED and a detail that
/// names the message's size and the limit. gRPC's own rejection names neither, and for a unary call it comes
/// before any interceptor could reword it. The guard reads each message's length prefix as the request body
/// passes through, so a message over the limit is rejected before gRPC reads it and before the service receives it.
/// </summary>
/// <remarks>
/// NOTE: a compressed message is checked by its compressed length. One that exceeds the limit only once gRPC
/// decompresses it, or one sent to a server-streaming method, still gets gRPC's own RESOURCE_EXHAUSTED, whose
/// detail names neither size.
/// </remarks>
internal sealed class MessageSizeGuard(
    IOptions<GrpcServiceOptions> grpcOptions, IOptions<ComputeOptions> computeOptions, ILogger<MessageSizeGuard> logger)
{
    /// <summary>gRPC's default receive limit, 4 MiB, used when <see cref="GrpcServiceOptions.MaxReceiveMessageSize"/> is unset.</summary>
    public const int DefaultMaxReceiveMessageBytes = 4 * 1024 * 1024;

    public int Limit => grpcOptions.Value.MaxReceiveMessageSize ?? DefaultMaxReceiveMessageBytes;

    /// <summary>
    /// Wraps the request body of unary and client-streaming gRPC calls, the ones whose requests carry data, in a stream
    /// that checks each message's declared length. Streaming responses, such as WatchJob's, keep Kestrel's own body.
    /// </summary>
    public RequestDelegate Wrap(RequestDelegate next) => context =>
    {
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method?.Type is MethodType.Unary or MethodType.ClientStreaming)
            context.Request.Body = new LengthCheckingStream(context.Request.Body, this, context.Request.Path);
        return next(context);
    };

    /// <summary>Logs and returns RESOURCE_EXHAUSTED naming the message's size, the limit and the upload chunk limit.</summary>
    private RpcException TooLarge(long messageBytes, string method)
    {
        var error = RpcErrors.ResourceExhausted(
            $"A request message has {messageBytes} bytes, over the server's limit of {Limit} bytes per message, so it was not read. " +
            $"Send files in chunks of at most {computeOptions.Value.Upload.MaxChunkBytes} bytes (Upload:MaxChunkBytes); 64 KiB works well.");
        logger.CallRejected(method, error.StatusCode.ToString(), error.Status.Detail);
        return error;
    }

    /// <summary>
    /// A read-only pass-through over a gRPC request body that follows its framing: each message is a 1-byte
    /// compression flag, a 4-byte big-endian length and that many bytes. A length over the limit throws
    /// <see cref="TooLarge"/> from the read that delivers it, so gRPC never gets that message.
    /// </summary>
    private sealed class LengthCheckingStream(Stream inner, MessageSizeGuard guard, string method) : Stream
    {
        private const int PrefixBytes = 5;

        private readonly byte[] _prefix = new byte[PrefixBytes];
        private int _prefixFilled;
        private long _payloadLeft;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await inner.ReadAsync(buffer, cancellationToken);
            return Check(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Check(ReadOnlySpan<byte> bytes)
        {
            int position = 0;
            while (position < bytes.Length)
            {
                if (_payloadLeft > 0)
                {
                    int skipped = (int)Math.Min(_payloadLeft, bytes.Length - position);
                    _payloadLeft -= skipped;
                    position += skipped;
                    continue;
                }

                _prefix[_prefixFilled++] = bytes[position++];
                if (_prefixFilled < PrefixBytes)
                    continue;

                _prefixFilled = 0;
                _payloadLeft = (uint)(_prefix[1] << 24 | _prefix[2] << 16 | _prefix[3] << 8 | _prefix[4]);
                if (_payloadLeft > guard.Limit)
                    throw guard.TooLarge(_payloadLeft, method);
            }

            return bytes.Length;
        }

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
