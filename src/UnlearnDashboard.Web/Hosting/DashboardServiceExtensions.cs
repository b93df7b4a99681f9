using MudBlazor.Services;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Components;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Hosting;

/// <summary>Registers and maps everything the dashboard needs.</summary>
public static class DashboardServiceExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents()
            .AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddHealthChecks();
        services.AddComputeClient(configuration);
        services.AddJobStreams(configuration);
        services.AddDashboardAccess(configuration);
        // After the access services, so that with Redis configured the key ring in Redis replaces the data folder's.
        services.AddDashboardScaleOut(configuration);
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        // HTTPS is served when Tls:CertificatePath is set (see Program.cs), or terminated by a reverse proxy.
        // The jobs hub's clients need its real status codes, such as 401 for a missing circuit token, so its
        // responses are not replaced by the not-found page.
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments(JobsHub.Path),
            branch => branch.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks(DashboardDefaults.HealthPath).AllowAnonymous();
        app.MapStaticAssets().AllowAnonymous();
        app.MapJobStreams();
        app.MapDashboardAccess();
        app.MapGet(MeetingPackEndpoint.Path, MeetingPackEndpoint.HandleAsync);
        app.MapGet(ErasureCertificateEndpoint.Pattern, ErasureCertificateEndpoint.HandleAsync);
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
        return app;
    }
}
