using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace UnlearnDashboard.Compute.Services;

/// <summary>
/// Rejects every request message with a string field that contains U+0000, as INVALID_ARGUMENT naming the field.
/// PostgreSQL cannot store or compare that character in text, so without this check a lookup by such an id fails
/// there as INTERNAL, where SQLite returns NOT_FOUND. No name, id or path in this API has a use for it.
/// </summary>
internal sealed class NulCharacterInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new CheckedReader<TRequest>(requestStream), context);

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, responseStream, context);
    }

    private static void Check<TRequest>(TRequest request)
    {
        if (request is IMessage message && Find(message, "") is var (field, position))
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} contains the character U+0000 at position {position}; no name, id or text in a request may contain it.");
        }
    }

    /// <summary>Returns the path of the first string in <paramref name="message"/>, at any depth, that contains U+0000, and where.</summary>
    internal static (string Field, int Position)? Find(IMessage message, string prefix)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.FieldType is not (FieldType.String or FieldType.Message))
                continue;

            string path = prefix + field.Name;
            var found = field.Accessor.GetValue(message) switch
            {
                string text => InText(text, path),
                IMessage nested => Find(nested, path + "."),
                IDictionary map => InItems(map.Values, path),
                IList items => InItems(items, path),
                _ => null,
            };
            if (found is not null)
                return found;
        }

        return null;
    }

    private static (string Field, int Position)? InItems(IEnumerable items, string path)
    {
        int index = 0;
        foreach (object? item in items)
        {
            string itemPath = $"{path}[{index++}]";
            var found = item switch
            {
                string text => InText(text, itemPath),
                IMessage nested => Find(nested, itemPath + "."),
                _ => null,
            };
            if (found is not null)
                return found;
        }

        return null;
    }

    private static (string Field, int Position)? InText(string text, string path) =>
        text.IndexOf('\0') is var position and >= 0 ? (path, position) : null;

    /// <summary>Checks each message of a client stream as it is read.</summary>
    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            bool moved = await inner.MoveNext(cancellationToken);
            if (moved)
                Check(inner.Current);
            return moved;
        }
    }
}
