using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UnlearnDashboard.Web.Jobs.Authentication;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>Registers and maps the jobs hub, its relays and the circuit token authentication.</summary>
public static class JobStreamExtensions
{
    public static IServiceCollection AddJobStreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobStreamOptions>()
            .Bind(configuration.GetSection(JobStreamOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSignalR();
        services.AddDataProtection();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, CircuitTokenAuthenticationHandler>(CircuitTokenDefaults.Scheme, configureOptions: null);
        services.AddAuthorization();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CircuitTokenService>();
        services.AddSingleton<JobRelayRegistry>();
        services.AddSingleton<HubUrlResolver>();
        services.AddScoped<IJobEventSource, HubJobEventSource>();
        return services;
    }

    public static WebApplication MapJobStreams(this WebApplication app)
    {
        app.MapHub<JobsHub>(JobsHub.Path);
        return app;
    }
}
