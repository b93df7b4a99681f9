using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Diagnostics;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>Logs the addresses the server listens on, its data folder and its database provider once Kestrel has started.</summary>
internal sealed class StartupLogger(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<ComputeOptions> options,
    ILogger<StartupLogger> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            // The provider only: a PostgreSQL connection string may carry a password.
            logger.ServerListening(string.Join(", ", addresses), options.Value.DataPath, options.Value.Database.Provider);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
