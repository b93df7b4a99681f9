using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Access;

/// <summary>Registers cookie sign-in, the sign-in requirement of every page, and the circuit's user.</summary>
public static class AccessExtensions
{
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";
    public const string AccessDeniedPath = "/access-denied";

    /// <summary>Name of the authentication cookie.</summary>
    public const string CookieName = "UnlearnDashboard.Session";

    public static IServiceCollection AddDashboardAccess(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(AccessOptions.Section);
        services.AddOptions<AccessOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The keys encrypt the authentication cookie and the circuit tokens; kept on disk, they let sessions
        // outlive a restart of the dashboard.
        var options = section.Get<AccessOptions>() ?? new AccessOptions();
        services.AddDataProtection()
            .SetApplicationName("UnlearnDashboard.Web")
            .PersistKeysToFileSystem(new DirectoryInfo(options.KeysDirectory));

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.LoginPath = LoginPath;
                cookie.LogoutPath = LogoutPath;
                cookie.AccessDeniedPath = AccessDeniedPath;
                cookie.ReturnUrlParameter = "returnUrl";
                // The ticket expires with the compute session token; SignIn sets ExpiresUtc from it.
                cookie.SlidingExpiration = false;
                cookie.Events.OnValidatePrincipal = CookieSessionValidator.ValidateAsync;
            });

        // Every endpoint needs a signed-in user unless it allows anonymous users, as the sign-in page, static
        // files and the health check do.
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<AuthenticationStateProvider, SessionAuthenticationStateProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, UserSessionCircuitHandler>());
        return services;
    }

    /// <summary>Maps <c>POST /logout</c>, which needs the antiforgery token of the sign-out form.</summary>
    public static WebApplication MapDashboardAccess(this WebApplication app)
    {
        app.MapPost(LogoutPath, SignOutAsync);
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery, IComputeAccess access, ILoggerFactory loggers)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
            return Results.BadRequest("The sign-out form is missing its antiforgery token; reload the page and sign out again.");

        // Ending the token on the compute server makes a copied cookie useless too. When that fails, the browser
        // still signs out, and the token ends when it expires.
        if (SessionClaims.TokenOf(context.User) is { } token)
        {
            try
            {
                await access.SignOutAsync(token, context.RequestAborted);
            }
            catch (ComputeUnavailableException error)
            {
                WebLog.SessionEndFailed(loggers.CreateLogger(typeof(AccessExtensions)), context.User.Identity?.Name ?? "", error);
            }
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect(LoginPath);
    }
}
