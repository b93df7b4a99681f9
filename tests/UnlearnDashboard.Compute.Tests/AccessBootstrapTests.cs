using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>The first start's users and keys when several servers start together on one database.</summary>
public sealed class AccessBootstrapTests : IAsyncLifetime
{
    private const int ServerCount = 3;

    private readonly List<string> _dataDirectories = [];
    private readonly List<WebApplication> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _servers)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        foreach (string directory in _dataDirectories.Distinct())
            Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task ServersStartingTogether_Postgres_BootstrapOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        string[] databaseArgs = ["--Database:Provider", "postgres", "--Database:ConnectionString", database.ConnectionString];
        await MigrateWithoutUsersAsync(databaseArgs);
        for (int i = 0; i < ServerCount; i++)
            _servers.Add(ComputeServerFixture.CreateServer(NewDataDirectory(), seedDemo: false, databaseArgs));

        await Task.WhenAll(_servers.Select(app => app.StartAsync()));
        var withCredentials = _dataDirectories.Skip(1).Where(d => File.Exists(Path.Combine(d, CredentialsFile.FileName))).ToList();

        Assert.Equal(RoleNames.All.Count, await CountUsersAsync());
        Assert.Single(withCredentials);
        await AssertEveryServerAcceptsAsync(withCredentials[0]);
    }

    [Fact]
    public async Task ServersStartingTogether_EmptyPostgres_MigrateOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        string[] databaseArgs = ["--Database:Provider", "postgres", "--Database:ConnectionString", database.ConnectionString];
        for (int i = 0; i < ServerCount; i++)
            _servers.Add(ComputeServerFixture.CreateServer(NewDataDirectory(), seedDemo: false, databaseArgs));

        await Task.WhenAll(_servers.Select(app => app.StartAsync()));
        await using var db = await _servers[0].Services.GetRequiredService<IDbContextFactory<ComputeDbContext>>().CreateDbContextAsync();
        var applied = await db.Database.GetAppliedMigrationsAsync();
        var withCredentials = _dataDirectories.Where(d => File.Exists(Path.Combine(d, CredentialsFile.FileName))).ToList();

        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Equal(RoleNames.All.Count, await CountUsersAsync());
        Assert.Single(withCredentials);
        await AssertEveryServerAcceptsAsync(withCredentials[0]);
    }

    /// <summary>On SQLite one server owns the data directory, so the first to take its lock starts and bootstraps.</summary>
    [Fact]
    public async Task ServersStartingTogether_Sqlite_OneStartsAndBootstrapsOnce()
    {
        string dataDirectory = NewDataDirectory();
        for (int i = 0; i < ServerCount; i++)
            _servers.Add(ComputeServerFixture.CreateServer(dataDirectory, seedDemo: false));

        var starts = _servers.Select(app => app.StartAsync()).ToList();
        var outcomes = await Task.WhenAll(starts.Select(async start =>
        {
            try
            {
                await start;
                return null;
            }
            catch (StartupException error)
            {
                return error;
            }
        }));
        var started = _servers.Where((_, i) => outcomes[i] is null).ToList();
        var rejected = outcomes.OfType<StartupException>().ToList();

        Assert.Single(started);
        Assert.Equal(ServerCount - 1, rejected.Count);
        Assert.All(rejected, error => Assert.StartsWith($"Another compute server uses the data directory {dataDirectory}", error.Message));
        Assert.Equal(RoleNames.All.Count, await CountUsersAsync());
        using var channel = ComputeServerFixture.CreateChannel(started[0], dataDirectory, "admin");
        var identity = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal(Role.Admin, identity.Role);
    }

    /// <summary>
    /// Creates the schema with one server that bootstraps no users, so the servers under test race only to bootstrap.
    /// </summary>
    private async Task MigrateWithoutUsersAsync(string[] databaseArgs)
    {
        await using var app = ComputeServerFixture.CreateServer(NewDataDirectory(), seedDemo: false, [.. databaseArgs, "--Access:Bootstrap", "false"]);
        await app.StartAsync();
        await app.StopAsync();
    }

    private string NewDataDirectory()
    {
        string directory = Directory.CreateTempSubdirectory("unlearn-bootstrap-tests-").FullName;
        _dataDirectories.Add(directory);
        return directory;
    }

    private async Task<int> CountUsersAsync()
    {
        await using var db = await _servers[0].Services.GetRequiredService<IDbContextFactory<ComputeDbContext>>().CreateDbContextAsync();
        return await db.Users.CountAsync();
    }

    /// <summary>Asserts that the admin key in the folder's credentials.json works on every server.</summary>
    private async Task AssertEveryServerAcceptsAsync(string credentialsDirectory)
    {
        foreach (var app in _servers)
        {
            using var channel = ComputeServerFixture.CreateChannel(app, credentialsDirectory, "admin");
            var identity = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());
            Assert.Equal(Role.Admin, identity.Role);
        }
    }
}
