using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// Creates the data folders and applies the database migrations before the other services start. A SQLite
/// database from a server that predates migrations is adopted first (see <see cref="LegacySqliteDatabase"/>).
/// </summary>
internal sealed class DatabaseInitializer(
    IDbContextFactory<ComputeDbContext> dbFactory,
    IOptions<ComputeOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
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

        // EF Core takes a database lock while it migrates, so several servers starting on one PostgreSQL
        // database apply each migration once.
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await LegacySqliteDatabase.AdoptAsync(db, logger, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        // Write-ahead logging lets readers (event streams, listings) run while a job or the audit trail writes.
        // With SQLite's default rollback journal a reader blocks every writer, which then fails with
        // "database is locked" once the busy timeout passes. The mode is stored in the database file.
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
