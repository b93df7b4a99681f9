using Grpc.Core;
using Grpc.Core.Interceptors;

namespace UnlearnDashboard.Compute.Access;

/// <summary>
/// Authenticates and authorises every call by <see cref="AccessPolicy"/> before the service method runs. A method
/// without a rule is PERMISSION_DENIED; a missing, unknown, revoked or expired credential is UNAUTHENTICATED; a
/// role the rule does not list is PERMISSION_DENIED naming the roles that may call the method.
/// </summary>
internal sealed class AuthInterceptor(AccessStore store) : Interceptor
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
            return;

        string? secret = BearerSecret(context);
        if (secret is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "No credential: send an API key or session token as 'authorization: Bearer <secret>'. The CLI takes --api-key or "
                + "UNLEARN_API_KEY; the first keys are in credentials.json in the server's data folder, and an admin creates more with 'unlearn keys create'."));
        }

        var identity = await store.AuthenticateAsync(secret, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                "The API key or session token is unknown, revoked or expired, or its user is revoked. Ask an admin for a new key, or sign in again."));
        if (!rule.Roles.Contains(identity.Role))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"{MethodName(context.Method)} may be called by the role {rule.DescribeRoles()}; user '{identity.UserName}' has the role "
                + $"{RoleNames.ToName(identity.Role)}. Use a key of a user with an allowed role."));
        }

        context.SetCaller(identity);
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
