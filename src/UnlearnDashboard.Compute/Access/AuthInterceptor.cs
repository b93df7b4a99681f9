using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Diagnostics;
using Status = Grpc.Core.Status;

namespace UnlearnDashboard.Compute.Access;

/// <summary>
/// Authenticates and authorises every call by <see cref="AccessPolicy"/> before the service method runs. A method
/// without a rule is PERMISSION_DENIED; a missing, unknown, revoked or expired credential is UNAUTHENTICATED; a
/// role the rule does not list is PERMISSION_DENIED naming the roles that may call the method. Every call, a
/// stream once when it opens, takes a token from its caller's rate limit bucket, and a caller without one gets
/// RESOURCE_EXHAUSTED with a <c>google.rpc.RetryInfo</c> detail.
/// </summary>
/// <remarks>
/// The bucket is chosen after authentication: the API key, or the session token, that authenticated the call.
/// Calls to anonymous methods and calls whose credential is missing or invalid share one bucket per peer IP
/// address. So a caller that sends random secrets, or another key's id with a wrong secret, can neither create
/// buckets nor drain another caller's.
/// </remarks>
internal sealed class AuthInterceptor(
    AccessStore store, CallerRateLimiter rateLimiter, IOptions<AccessOptions> options, ILogger<AuthInterceptor> logger) : Interceptor
{
    /// <summary>The metadata key of the credential; gRPC metadata keys are lowercase.</summary>
    public const string AuthorizationHeader = "authorization";

    private const string BearerScheme = "Bearer ";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task AuthorizeAsync(ServerCallContext context)
    {
        var rule = AccessPolicy.Find(context.Method)
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"{context.Method} has no entry in the server's access table, so nobody may call it."));
        if (rule.Anonymous)
        {
            LimitPeer(context);
            return;
        }

        string? secret = BearerSecret(context);
        if (secret is null)
        {
            LimitPeer(context);
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "No credential: send an API key or session token as 'authorization: Bearer <secret>'. The CLI takes --api-key or "
                + "UNLEARN_API_KEY; the first keys are in credentials.json in the server's data folder, and an admin creates more with 'unlearn keys create'."));
        }

        var identity = await store.AuthenticateAsync(secret, context.CancellationToken);
        if (identity is null)
        {
            LimitPeer(context);
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "The API key or session token is unknown, revoked or expired, or its user is revoked. Ask an admin for a new key, or sign in again."));
        }

        Limit(context, CredentialKey(identity, secret), CredentialName(identity));
        if (!rule.Roles.Contains(identity.Role))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"{MethodName(context.Method)} may be called by the role {rule.DescribeRoles()}; user '{identity.UserName}' has the role "
                + $"{RoleNames.ToName(identity.Role)}. Use a key of a user with an allowed role."));
        }

        context.SetCaller(identity);
    }

    /// <summary>Returns the bucket key of a credential: the API key's id, or the SHA-256 of a session token.</summary>
    private static string CredentialKey(CallerIdentity identity, string secret) =>
        identity.ApiKeyId is { } keyId ? "key:" + keyId : "session:" + Convert.ToHexString(Secrets.HashSecret(secret));

    private static string CredentialName(CallerIdentity identity) =>
        identity.ApiKeyId is { } keyId
            ? $"API key {keyId} of user '{identity.UserName}'"
            : $"the session token of user '{identity.UserName}'";

    private void LimitPeer(ServerCallContext context)
    {
        string address = context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? context.Peer;
        Limit(context, "peer:" + address, $"calls without a valid credential from {address}");
    }

    /// <summary>Takes a token from the caller's bucket, or throws RESOURCE_EXHAUSTED naming the limit and when to retry.</summary>
    private void Limit(ServerCallContext context, string callerKey, string callerName)
    {
        var decision = rateLimiter.TryAcquire(callerKey);
        if (decision.Allowed)
            return;

        var limit = options.Value.RateLimit;
        if (decision.FirstRejection)
            logger.CallerRateLimited(callerName, MethodName(context.Method), limit.PermitsPerSecond, limit.Burst);

        string retrySeconds = Math.Max(decision.RetryAfter.TotalSeconds, 0.001).ToString("0.###", CultureInfo.InvariantCulture);
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = $"Rate limit exceeded for {callerName}: {RateLimitOptions.SectionName} allows "
                + $"{limit.PermitsPerSecond.ToString("G", CultureInfo.InvariantCulture)} calls a second per caller, with bursts of {limit.Burst}. "
                + $"Retry after {retrySeconds} s.",
        };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(decision.RetryAfter) }));
        var error = status.ToRpcException();
        throw new RateLimitExceededException(error.Status, error.Trailers);
    }

    /// <summary>Returns the secret of an "authorization: Bearer SECRET" entry, or null when there is none.</summary>
    internal static string? BearerSecret(ServerCallContext context)
    {
        string? value = context.RequestHeaders.GetValue(AuthorizationHeader);
        if (value is null || !value.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase))
            return null;

        string secret = value[BearerScheme.Length..].Trim();
        return secret.Length == 0 ? null : secret;
    }

    /// <summary>Returns "Service/Method" from "/package.Service/Method".</summary>
    private static string MethodName(string fullMethodName)
    {
        string trimmed = fullMethodName.TrimStart('/');
        int slash = trimmed.IndexOf('/');
        int dot = trimmed.LastIndexOf('.', slash < 0 ? trimmed.Length - 1 : slash);
        return dot < 0 ? trimmed : trimmed[(dot + 1)..];
    }
}

/// <summary>
/// The RESOURCE_EXHAUSTED of a caller over its rate limit. <see cref="AuthInterceptor"/> logs the first one of each
/// throttled caller, so the error interceptor does not log each call, which would flood the log.
/// </summary>
internal sealed class RateLimitExceededException(Status status, Metadata trailers) : RpcException(status, trailers);
