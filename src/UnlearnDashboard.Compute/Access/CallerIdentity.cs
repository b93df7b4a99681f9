using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Access;

/// <summary>The authenticated caller of one RPC, set by <see cref="AuthInterceptor"/>.</summary>
/// <param name="UserName">The user; audit entries record it as the actor.</param>
/// <param name="Role">The user's role.</param>
/// <param name="ApiKeyId">The API key used, or null for a session token.</param>
public sealed record CallerIdentity(string UserName, Role Role, string? ApiKeyId)
{
    public Identity ToProto() => new() { UserName = UserName, Role = Role, ApiKeyId = ApiKeyId ?? "" };
}

/// <summary>Reads the caller that <see cref="AuthInterceptor"/> stored on a call.</summary>
public static class CallerIdentityExtensions
{
    private static readonly object Key = typeof(CallerIdentity);

    /// <summary>
    /// Returns the authenticated caller. Throws UNAUTHENTICATED on a method the access table opens to anonymous
    /// callers, which have no identity.
    /// </summary>
    public static CallerIdentity Caller(this ServerCallContext context) =>
        context.GetHttpContext().Items[Key] as CallerIdentity
        ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "This call has no authenticated caller."));

    internal static void SetCaller(this ServerCallContext context, CallerIdentity identity) =>
        context.GetHttpContext().Items[Key] = identity;
}
