using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using UnlearnDashboard.Compute.Diagnostics;

namespace UnlearnDashboard.Compute.Storage;

/// <summary>
/// Adopts a SQLite database made by a server from before migrations, which created its schema with
/// <c>EnsureCreated</c> and so has tables but no <c>__EFMigrationsHistory</c>. That schema is the first
/// migration's, so the first migration is recorded as applied and the later ones run as usual. Tables that
/// an even older server did not have yet (such as <c>counterfactual_sets</c>) are created first.
/// </summary>
internal static class LegacySqliteDatabase
{
    /// <summary>
    /// Records the first migration as applied when the database predates migrations. Throws
    /// <see cref="InvalidOperationException"/> naming the table and columns when an existing table lacks a
    /// column of the first migration, because such a database was not made by this server.
    /// </summary>
    public static async Task AdoptAsync(ComputeDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
            return;

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            var tables = await QueryNamesAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table'", cancellationToken);
            var history = db.GetService<IHistoryRepository>();
            if (!tables.Contains("datasets") || await history.ExistsAsync(cancellationToken))
                return;

            var migrations = db.GetService<IMigrationsAssembly>();
            var (initialId, initialType) = migrations.Migrations.First();
            var initial = migrations.CreateMigration(initialType, db.Database.ProviderName!);

            var missingTables = new List<string>();
            foreach (var create in initial.UpOperations.OfType<CreateTableOperation>())
            {
                var columns = await QueryNamesAsync(connection, $"SELECT name FROM pragma_table_info('{create.Name}')", cancellationToken);
                if (columns.Count == 0)
                {
                    missingTables.Add(create.Name);
                    continue;
                }

                var missingColumns = create.Columns.Select(c => c.Name).Where(c => !columns.Contains(c)).ToList();
                if (missingColumns.Count > 0)
                {
                    throw new Hosting.StartupException(
                        $"The SQLite database {connection.DataSource} has no migration history and its table {create.Name} lacks the "
                        + $"column(s) {string.Join(", ", missingColumns)}, so it was not made by an earlier version of this server and "
                        + "cannot be migrated. Move the file away to start with an empty database, or point Database:ConnectionString at another file.");
                }
            }

            // Only the missing tables and their indexes; the existing ones already have theirs.
            var operations = initial.UpOperations
                .Where(operation => operation switch
                {
                    CreateTableOperation table => missingTables.Contains(table.Name),
                    CreateIndexOperation index => missingTables.Contains(index.Table),
                    _ => false,
                })
                .ToList();
            var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations);

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var command in commands)
                await db.Database.ExecuteSqlRawAsync(command.CommandText, cancellationToken);
            await db.Database.ExecuteSqlRawAsync(history.GetCreateScript(), cancellationToken);
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(initialId, ProductInfo.GetVersion())), cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            logger.LegacyDatabaseAdopted(connection.DataSource, initialId, missingTables.Count == 0 ? "none" : string.Join(", ", missingTables));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<HashSet<string>> QueryNamesAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            names.Add(reader.GetString(0));
        return names;
    }
}
