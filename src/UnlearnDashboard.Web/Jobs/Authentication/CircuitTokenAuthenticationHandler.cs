using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace UnlearnDashboard.Web.Jobs.Authentication;

/// <summary>
/// Authenticates jobs hub requests by a circuit token, read from the <c>access_token</c> query parameter that
/// SignalR uses for WebSockets and server-sent events, or from an <c>Authorization: Bearer</c> header.
/// </summary>
public sealed class CircuitTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    CircuitTokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = Request.Query["access_token"];
        if (string.IsNullOrEmpty(token))
        {
            string header = Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.Ordinal))
                token = header["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(token))
            return Task.FromResult(AuthenticateResult.NoResult());

        string? userName = tokens.Validate(token);
        if (userName is null)
            return Task.FromResult(AuthenticateResult.Fail("The circuit token is invalid or expired."));

        // TODO: add the user's roles here once the dashboard signs users in; the hub then authorizes by role.
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, userName)], Scheme.Name);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }
}
