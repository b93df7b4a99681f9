using System.Security.Claims;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Authentication.Cookies;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Tests;

/// <summary>Principals of signed-in users, built the way the sign-in page builds them.</summary>
public static class TestUsers
{
    public static ClaimsPrincipal SignedIn(string name, Role role, string sessionToken = "session-token", DateTimeOffset? expiresAt = null)
    {
        var response = new SignInResponse
        {
            Token = sessionToken,
            ExpiresAt = Timestamp.FromDateTimeOffset(expiresAt ?? DateTimeOffset.UtcNow.AddHours(8)),
            Identity = new Identity { UserName = name, Role = role },
        };
        return SessionClaims.CreatePrincipal(response, CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
