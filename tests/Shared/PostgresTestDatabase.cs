using Npgsql;

namespace UnlearnDashboard.Tests.Shared;

/// <summary>
/// A fresh PostgreSQL database for one fixture, created through the server that <see cref="EnvironmentVariable"/>
/// names and dropped on dispose. Linked into the test projects that run the compute server on PostgreSQL.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    /// <summary>Connection string of a role that may create databases; <c>.ci/postgres</c> prints one.</summary>
    public const string EnvironmentVariable = "UNLEARN_TEST_POSTGRES";

    private const int DropAttempts = 5;

    private readonly string _adminConnectionString;

    private PostgresTestDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Creates an empty database with a random name. Throws when <see cref="EnvironmentVariable"/> is not set.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        string? admin = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set, so the PostgreSQL variants of the compute tests cannot run. Run "
                + $"'export {EnvironmentVariable}=$(bash .ci/postgres)' in the repository (as root: it installs and starts PostgreSQL "
                + "on loopback and prints a connection string), or set it to the connection string of a role that may create databases.");
        }

        var database = new PostgresTestDatabase(admin, $"unlearn_test_{Guid.NewGuid():N}");
        await database.ExecuteAdminAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        string drop = $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)";
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAdminAsync(drop);
                return;
            }
            catch (PostgresException e) when (IsTransientDropFailure(e) && attempt < DropAttempts)
            {
                // A session that is still starting, or an autovacuum worker the role may not signal, stays on the
                // database for a moment, so a later try succeeds.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private static bool IsTransientDropFailure(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse;

    /// <summary>Runs SQL in the test database as the test role, for example to tamper with a table.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
