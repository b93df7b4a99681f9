using Grpc.Core;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>Sends client-streaming requests the way a careful client does.</summary>
internal static class ClientStreams
{
    /// <summary>
    /// Writes <paramref name="messages"/>, completes the request stream and returns the response. The server may
    /// end the call before it has read every message, for example when it rejects the first one. A later write
    /// then fails with a status of its own, often CANCELLED, while the response carries the server's.
    /// </summary>
    public static async Task<TResponse> SendAsync<TRequest, TResponse>(
        AsyncClientStreamingCall<TRequest, TResponse> call,
        params IEnumerable<TRequest> messages)
    {
        try
        {
            foreach (var message in messages)
                await call.RequestStream.WriteAsync(message);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception error) when (error is RpcException or InvalidOperationException)
        {
            // The response below throws the server's status.
        }

        return await call.ResponseAsync;
    }
}
