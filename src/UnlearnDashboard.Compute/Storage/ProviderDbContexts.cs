using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace UnlearnDashboard.Compute.Storage;

/// <summary>The database on SQLite; its migrations are in <c>Storage/Migrations/Sqlite</c>.</summary>
public sealed class SqliteComputeDbContext(DbContextOptions<SqliteComputeDbContext> options) : ComputeDbContext(options);

/// <summary>The database on PostgreSQL; its migrations are in <c>Storage/Migrations/Postgres</c>.</summary>
public sealed class PostgresComputeDbContext(DbContextOptions<PostgresComputeDbContext> options) : ComputeDbContext(options);

/// <summary>Hands out the context of the configured provider to code that uses only <see cref="ComputeDbContext"/>.</summary>
internal sealed class ComputeDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ComputeDbContext>
    where TContext : ComputeDbContext
{
    public ComputeDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<ComputeDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}

/// <summary>
/// Builds the SQLite context for <c>dotnet ef migrations add</c>, which needs no database:
/// <c>dotnet ef migrations add NAME --context SqliteComputeDbContext --output-dir Storage/Migrations/Sqlite</c>.
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteComputeDbContext>
{
    public SqliteComputeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteComputeDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>
/// Builds the PostgreSQL context for <c>dotnet ef migrations add</c>; the connection string is never opened:
/// <c>dotnet ef migrations add NAME --context PostgresComputeDbContext --output-dir Storage/Migrations/Postgres</c>.
/// </summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresComputeDbContext>
{
    public PostgresComputeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresComputeDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
