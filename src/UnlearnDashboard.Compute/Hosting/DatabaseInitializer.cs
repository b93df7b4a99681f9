using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// Creates the data folders and applies the database migrations before the other services start. A SQLite
/// database from a server that predates migrations is adopted first (see <see cref="LegacySqliteDatabase"/>).
/// Program.cs runs it before starting the host, so a database that cannot be opened ends the process with one
/// line. Started again as a hosted service, it does nothing.
/// </summary>
internal sealed class DatabaseInitializer(
    IDbContextFactory<ComputeDbContext> dbFactory,
    DataDirectoryLock dataDirectoryLock,
    IOptions<ComputeOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    /// <summary>The PostgreSQL advisory lock that servers starting on one database take while they migrate it.</summary>
    public const long MigrationLockKey = 0x756E_6C65_6172_6E03;

    // Far longer than a staged file stays untouched while in use: uploads write to theirs chunk by chunk, and a
    // job's weights file lives for seconds.
    private static readonly TimeSpan StaleStagingAge = TimeSpan.FromHours(1);

    private bool _initialized;

    /// <summary>Initializes the folders and the database once; later calls return at once.</summary>
    /// <exception cref="StartupException">
    /// Another server on SQLite uses the data directory, or the database cannot be opened or migrated.
    /// </exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
            return;

        var settings = options.Value;
        CreateDataDirectory(settings.DataPath);

        // The lock comes before any change in the data directory. On SQLite a server assumes that it is alone, so
        // it empties staging below, and the scheduler then marks every unfinished job interrupted.
        if (!settings.Database.IsPostgres)
            dataDirectoryLock.Acquire(settings.DataPath);

        Directory.CreateDirectory(settings.ArtifactPath);
        Directory.CreateDirectory(settings.ImportPath);
        Directory.CreateDirectory(settings.StagingPath);

        // Files left in staging by a crash were never committed. Servers that share a PostgreSQL database share
        // the data folder too, so there only files untouched for StaleStagingAge go: the others may be in use.
        var cutoff = settings.Database.IsPostgres ? DateTime.UtcNow - StaleStagingAge : DateTime.MaxValue;
        foreach (string leftover in Directory.EnumerateFiles(settings.StagingPath))
        {
            if (File.GetLastWriteTimeUtc(leftover) < cutoff)
                File.Delete(leftover);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            await LegacySqliteDatabase.AdoptAsync(db, logger, cancellationToken);
            if (settings.Database.IsPostgres)
            {
                // Servers starting together on an empty database failed with "relation ... already exists" when
                // they created the tables at once. The lock makes them migrate one after the other, and those
                // that come later find every migration applied.
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
                try
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }
                finally
                {
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
                    await db.Database.CloseConnectionAsync();
                }
            }
            else
            {
                await db.Database.MigrateAsync(cancellationToken);
            }

            // Write-ahead logging lets readers (event streams, listings) run while a job or the audit trail writes.
            // With SQLite's default rollback journal a reader blocks every writer, which then fails with
            // "database is locked" once the busy timeout passes. The mode is stored in the database file.
            if (db.Database.IsSqlite())
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        catch (Exception error) when (error is DbException or InvalidOperationException or TimeoutException)
        {
            throw new StartupException(Describe(settings, error), error);
        }

        _initialized = true;
    }

    /// <summary>Creates the data directory, or throws a <see cref="StartupException"/> that names it and the reason.</summary>
    private static void CreateDataDirectory(string dataPath)
    {
        try
        {
            Directory.CreateDirectory(dataPath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(
                $"The data directory {dataPath} could not be created: {error.Message.TrimEnd('.')}. " +
                "Pass --DataDirectory a folder path that this user can create or write.", error);
        }
    }

    /// <summary>Names the database that failed and the settings that choose it.</summary>
    private static string Describe(ComputeOptions settings, Exception error)
    {
        string reason = error.GetBaseException().Message.TrimEnd('.');
        return settings.Database.IsPostgres
            ? $"The PostgreSQL database of Database:ConnectionString could not be opened or migrated: {reason}. " +
              "Check the connection string (host, port, database, user, password) and that the server is running."
            : $"The SQLite database {Path.Combine(settings.DataPath, "unlearn.db")} could not be opened or migrated: {reason}. " +
              "If the file is damaged, restore it from a backup or move it away to start with an empty database.";
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
