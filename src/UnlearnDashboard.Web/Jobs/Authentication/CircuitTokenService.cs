using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace UnlearnDashboard.Web.Jobs.Authentication;

/// <summary>
/// Issues and checks the short-lived tokens with which a circuit's server-side HubConnection authenticates to
/// the jobs hub. That connection carries no browser cookie, so the circuit passes its user's name in a token
/// protected with ASP.NET Core data protection.
/// </summary>
public sealed class CircuitTokenService(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>Lifetime of a token; the HubConnection asks for a new one on every connect and reconnect.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("UnlearnDashboard.Web.JobsHub.CircuitToken.v1").ToTimeLimitedDataProtector();

    public string Issue(string userName) => _protector.Protect(userName, time.GetUtcNow() + Lifetime);

    /// <summary>Returns the user name in <paramref name="token"/>, or null when the token is damaged, forged or expired.</summary>
    public string? Validate(string token)
    {
        try
        {
            return _protector.Unprotect(token, out _);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
