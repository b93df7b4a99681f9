using System.Security.Claims;
using Grpc.Core;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Access;

/// <summary>Checks that a signed-in user's session token has not expired and that the compute server still accepts it.</summary>
public static class SessionCheck
{
    /// <summary>
    /// Returns false when the token is missing, past its expiry, or rejected by WhoAmI with UNAUTHENTICATED. Any
    /// other failure keeps the session, because an unreachable compute server proves nothing about the token and
    /// the pages already report it.
    /// </summary>
    public static async Task<bool> IsValidAsync(ClaimsPrincipal user, IComputeAccess access, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!HasUnexpiredToken(user, time))
            return false;

        try
        {
            await access.WhoAmIAsync(SessionClaims.TokenOf(user)!, cancellationToken);
            return true;
        }
        catch (ComputeUnavailableException exception) when (exception.StatusCode == StatusCode.Unauthenticated)
        {
            return false;
        }
        catch (ComputeUnavailableException)
        {
            return true;
        }
    }

    /// <summary>Returns true when the user carries a session token whose expiry lies in the future.</summary>
    public static bool HasUnexpiredToken(ClaimsPrincipal user, TimeProvider time) =>
        SessionClaims.TokenOf(user) is not null && SessionClaims.ExpiryOf(user) is { } expiry && expiry > time.GetUtcNow();
}
