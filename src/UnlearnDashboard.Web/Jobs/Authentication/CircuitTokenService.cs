using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Jobs.Authentication;

/// <summary>
/// Issues and checks the short-lived tokens with which a circuit's server-side HubConnection authenticates to
/// the jobs hub. That connection carries no browser cookie, so the circuit passes its user's name, role and
/// compute session token in a token protected with ASP.NET Core data protection.
/// </summary>
public sealed class CircuitTokenService(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>Lifetime of a token; the HubConnection asks for a new one on every connect and reconnect.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("UnlearnDashboard.Web.JobsHub.CircuitToken.v2").ToTimeLimitedDataProtector();

    /// <summary>Issues a token for a signed-in <paramref name="user"/>.</summary>
    /// <exception cref="InvalidOperationException">The user is not signed in, so there is no session token to pass on.</exception>
    public string Issue(ClaimsPrincipal user)
    {
        string token = SessionClaims.TokenOf(user)
            ?? throw new InvalidOperationException("Only a signed-in user with a session token can connect to the jobs hub.");
        var payload = new CircuitUser(user.Identity!.Name ?? "", SessionClaims.RoleOf(user), token);
        return _protector.Protect(JsonSerializer.Serialize(payload), time.GetUtcNow() + Lifetime);
    }

    /// <summary>Returns the user in <paramref name="token"/>, or null when the token is damaged, forged or expired.</summary>
    public CircuitUser? Validate(string token)
    {
        try
        {
            return JsonSerializer.Deserialize<CircuitUser>(_protector.Unprotect(token, out _));
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>The user a circuit token stands for, and the session token with which the hub calls the compute server.</summary>
public sealed record CircuitUser(string Name, string Role, string SessionToken);
