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

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Database.EnsureCreatedAsync(cancellationToken))
            await CreateMissingTablesAsync(db, cancellationToken);
    }

    /// <summary>
    /// Creates the tables and indexes that a database made by an older server lacks, such as
    /// <c>counterfactual_sets</c>, by running the model's create script with IF NOT EXISTS.
    /// </summary>
    /// <remarks>
    /// TODO: switch to migrations before a table gains a column; this step only adds whole tables and indexes.
    /// </remarks>
    private static async Task CreateMissingTablesAsync(ComputeDbContext db, CancellationToken cancellationToken)
    {
        string script = db.Database.GenerateCreateScript();
        foreach (string statement in script.Split(";", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string idempotent = statement
                .Replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", StringComparison.Ordinal)
                .Replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", StringComparison.Ordinal)
                .Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal);
            await db.Database.ExecuteSqlRawAsync(idempotent, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
