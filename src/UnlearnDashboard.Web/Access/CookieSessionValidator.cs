using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// Rejects an authentication cookie whose session token expired or that the compute server no longer accepts,
/// and deletes the cookie, so the request is sent to the sign-in page. A token accepted by WhoAmI is not asked
/// about again for <see cref="AccessOptions.SessionCheckSeconds"/>, because every request, static files
/// included, passes through here.
/// </summary>
public static class CookieSessionValidator
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var user = context.Principal;
        if (user is null || !SessionCheck.HasUnexpiredToken(user, time))
        {
            await RejectAsync(context);
            return;
        }

        var cache = services.GetRequiredService<IMemoryCache>();
        string key = CacheKey(SessionClaims.TokenOf(user)!);
        if (cache.TryGetValue(key, out _))
            return;

        var access = services.GetRequiredService<IComputeAccess>();
        if (!await SessionCheck.IsValidAsync(user, access, time, context.HttpContext.RequestAborted))
        {
            await RejectAsync(context);
            return;
        }

        var options = services.GetRequiredService<IOptions<AccessOptions>>().Value;
        cache.Set(key, true, TimeSpan.FromSeconds(options.SessionCheckSeconds));
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    // The key is a hash, so the cache does not keep another copy of the token.
    private static string CacheKey(string token) =>
        "session-check:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
