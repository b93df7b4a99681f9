namespace UnlearnDashboard.Compute.Storage;

/// <summary>
/// Which database the compute server stores its rows in, bound from the <c>Database</c> section (environment
/// variables <c>Database__Provider</c> and <c>Database__ConnectionString</c>).
/// </summary>
public sealed class DatabaseOptions
{
    public const string SqliteProvider = "sqlite";

    public const string PostgresProvider = "postgres";

    /// <summary>
    /// <c>sqlite</c> (default): a file in the data folder, for one server. <c>postgres</c>: a PostgreSQL
    /// database that several compute servers may share; it needs <see cref="ConnectionString"/>.
    /// </summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>
    /// ADO.NET connection string. Required for PostgreSQL, for example
    /// <c>Host=127.0.0.1;Port=5432;Database=unlearn;Username=unlearn;Password=...</c>. For SQLite the default
    /// is <c>Data Source=DataDirectory/unlearn.db</c>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>True when <see cref="Provider"/> names PostgreSQL.</summary>
    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <see cref="Provider"/> names SQLite.</summary>
    public bool IsSqlite => string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase);
}
