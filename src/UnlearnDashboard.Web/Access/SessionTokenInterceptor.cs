using Grpc.Core;
using Grpc.Core.Interceptors;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// Sends the signed-in user's session token as <c>authorization: Bearer TOKEN</c> on every call to the compute
/// server, unless the call sets its own authorization header, and reports UNAUTHENTICATED answers to the
/// <see cref="UserSession"/> so the dashboard can send the user back to the sign-in page.
/// </summary>
public sealed class SessionTokenInterceptor(UserSession session) : Interceptor
{
    public const string Header = "authorization";

    /// <summary>Returns the metadata entry value that carries <paramref name="secret"/>.</summary>
    public static string BearerValue(string secret) => "Bearer " + secret;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, WithToken(context));
        return new AsyncUnaryCall<TResponse>(
            ObserveAsync(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    private ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        string? token = session.Token;
        var headers = context.Options.Headers;
        if (token is null || headers?.Get(Header) is not null)
            return context;

        var withToken = new Metadata();
        foreach (var entry in headers ?? [])
            withToken.Add(entry);
        withToken.Add(Header, BearerValue(token));
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(withToken));
    }

    private async Task<TResponse> ObserveAsync<TResponse>(Task<TResponse> response)
    {
        try
        {
            return await response;
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Unauthenticated && session.Token is not null)
        {
            session.OnRejected();
            throw;
        }
    }
}
