using System.Globalization;
using System.Security.Claims;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// Claims of a signed-in user: name, role, and the compute server's session token with its expiry. The
/// authentication cookie carries them encrypted with data protection, so the token never reaches scripts.
/// </summary>
public static class SessionClaims
{
    /// <summary>Claim type of the session token that every call to the compute server carries.</summary>
    public const string SessionToken = "unlearn:session_token";

    /// <summary>Claim type of the token's expiry, as a round-trip ("o") UTC time.</summary>
    public const string ExpiresAt = "unlearn:expires_at";

    /// <summary>Builds the principal of a successful SignIn.</summary>
    public static ClaimsPrincipal CreatePrincipal(SignInResponse response, string authenticationType)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, response.Identity.UserName),
            new Claim(ClaimTypes.Role, DashboardRoles.NameOf(response.Identity.Role)),
            new Claim(SessionToken, response.Token),
            new Claim(ExpiresAt, response.ExpiresAt.ToDateTimeOffset().ToString("o", CultureInfo.InvariantCulture)),
        ], authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>Returns the session token of a signed-in user, or null.</summary>
    public static string? TokenOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true ? user.FindFirst(SessionToken)?.Value : null;

    /// <summary>Returns the role claim of a signed-in user, or an empty string.</summary>
    public static string RoleOf(ClaimsPrincipal? user) => user?.FindFirst(ClaimTypes.Role)?.Value ?? "";

    /// <summary>Returns when the session token expires, or null when the claim is missing or damaged.</summary>
    public static DateTimeOffset? ExpiryOf(ClaimsPrincipal? user)
    {
        string? value = user?.FindFirst(ExpiresAt)?.Value;
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiry) ? expiry : null;
    }
}
