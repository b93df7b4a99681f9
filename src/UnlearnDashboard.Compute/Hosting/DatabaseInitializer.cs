using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>Creates the data folders and the database schema before the other services start.</summary>
internal sealed class DatabaseInitializer(IDbContextFactory<ComputeDbContext> dbFactory, IOptions<ComputeOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Directory.CreateDirectory(settings.DataPath);
        Directory.CreateDirectory(settings.ArtifactPath);
        Directory.CreateDirectory(settings.ImportPath);
        Directory.CreateDirectory(settings.StagingPath);

        // Files left in staging by a crash were never committed.
        foreach (string leftover in Directory.EnumerateFiles(settings.StagingPath))
            File.Delete(leftover);

        // TODO: switch to migrations before the schema first changes; EnsureCreated cannot alter an existing database.
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.EnsureCreatedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
