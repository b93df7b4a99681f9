using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Starts the real compute server (the registration Program.cs uses, Kestrel on a free loopback port,
/// HTTP/2, SQLite and TorchSharp) in a temporary data folder whose import folder contains the shipped CSVs.
/// Subclasses with <see cref="UsesPostgres"/> set store the rows in a fresh PostgreSQL database instead.
/// <see cref="Channel"/> sends the engineer's API key from the server's credentials.json; <see cref="ChannelAs"/>
/// sends another role's.
/// </summary>
public class ComputeServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly Dictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private string? _url;
    private PostgresTestDatabase? _postgres;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("unlearn-compute-tests-").FullName;

    public string ImportDirectory => Path.Combine(DataDirectory, "import");

    public string ArtifactDirectory => Path.Combine(DataDirectory, "artifacts");

    /// <summary>The server's base address, for example http://127.0.0.1:40123.</summary>
    public string Url => _url ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>A channel that sends the engineer's key.</summary>
    public GrpcChannel Channel => ChannelAs(ComputeCredentials.DefaultRole);

    public DatasetService.DatasetServiceClient Datasets => new(Channel);

    public ModelService.ModelServiceClient Models => new(Channel);

    public JobService.JobServiceClient Jobs => new(Channel);

    public CounterfactualService.CounterfactualServiceClient Counterfactuals => new(Channel);

    public AuditService.AuditServiceClient Audit => new(Channel);

    /// <summary>The version service as the compliance user, who may promote versions and set release gates.</summary>
    public VersionService.VersionServiceClient Versions => new(ChannelAs("compliance"));

    /// <summary>The erasure service as the compliance user, who may request erasures.</summary>
    public ErasureService.ErasureServiceClient Erasures => new(ChannelAs("compliance"));

    /// <summary>The counterfactual service as the compliance user, who may approve and reject sets.</summary>
    public CounterfactualService.CounterfactualServiceClient ComplianceCounterfactuals => new(ChannelAs("compliance"));

    /// <summary>The access service as the admin, who may manage users and keys.</summary>
    public AccessService.AccessServiceClient AdminAccess => new(ChannelAs("admin"));

    /// <summary>
    /// Returns a channel that sends the key of <paramref name="role"/> ("viewer", "engineer", "compliance" or "admin")
    /// from credentials.json, or no credential for null.
    /// </summary>
    public GrpcChannel ChannelAs(string? role)
    {
        string url = _url ?? throw new InvalidOperationException("The server has not started.");
        string key = role ?? "";
        lock (_channels)
        {
            if (!_channels.TryGetValue(key, out var channel))
            {
                string? secret = role is null ? null : ComputeCredentials.ReadSecret(DataDirectory, role);
                _channels[key] = channel = ComputeCredentials.CreateChannel(url, secret);
            }

            return channel;
        }
    }

    /// <summary>True to store the rows in a fresh PostgreSQL database; false for SQLite in the data folder.</summary>
    public virtual bool UsesPostgres => false;

    /// <summary>The fixture's PostgreSQL database; null on SQLite.</summary>
    public PostgresTestDatabase? Postgres => _postgres;

    /// <summary>The server's services, for tests that reach past gRPC (for example to the database).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The server has not started.");

    protected virtual bool SeedDemo => false;

    /// <summary>Command-line arguments added to the defaults, for example to change an option.</summary>
    protected virtual string[] ExtraArgs => [];

    public virtual async Task InitializeAsync()
    {
        if (UsesPostgres)
            _postgres = await PostgresTestDatabase.CreateAsync();
        Directory.CreateDirectory(ImportDirectory);
        foreach (string file in Directory.EnumerateFiles(DatasetProfiles.DataFolder, "*.csv"))
            File.Copy(file, Path.Combine(ImportDirectory, Path.GetFileName(file)));

        await StartServerAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await StopServerAsync();
        SqliteConnection.ClearAllPools();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>Starts the server on the data folder; a stopped server can start again on the same folder.</summary>
    public async Task StartServerAsync()
    {
        _app = CreateServer(DataDirectory, SeedDemo, [.. DatabaseArgs(), .. ExtraArgs]);
        await _app.StartAsync();
        _url = _app.Urls.Single();
    }

    /// <summary>Stops the server the way a shutdown signal does, leaving the data folder in place.</summary>
    public async Task StopServerAsync()
    {
        lock (_channels)
        {
            foreach (var channel in _channels.Values)
                channel.Dispose();
            _channels.Clear();
        }

        _url = null;
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Command-line arguments that select the fixture's database.</summary>
    public string[] DatabaseArgs() => _postgres is null
        ? []
        : ["--Database:Provider", "postgres", "--Database:ConnectionString", _postgres.ConnectionString];

    /// <summary>Builds a server with the same registration as Program.cs and the given extra command-line arguments.</summary>
    public static WebApplication CreateServer(string dataDirectory, bool seedDemo, params string[] extraArgs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                "--DataDirectory", dataDirectory,
                "--SeedDemo", seedDemo.ToString(),
                "--urls", "http://127.0.0.1:0",
                "--Kestrel:EndpointDefaults:Protocols", "Http2",
                "--Logging:LogLevel:Default", "Warning",
                .. extraArgs,
            ],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        builder.AddComputeServer();

        var app = builder.Build();
        app.MapComputeServer();
        return app;
    }

    /// <summary>
    /// Returns a channel to a server from <see cref="CreateServer"/> that sends the key of <paramref name="role"/> from
    /// credentials.json in its data folder.
    /// </summary>
    public static GrpcChannel CreateChannel(WebApplication app, string dataDirectory, string role = ComputeCredentials.DefaultRole) =>
        ComputeCredentials.CreateChannel(app.Urls.Single(), ComputeCredentials.ReadSecret(dataDirectory, role));

    /// <summary>Returns the number of artifact files stored so far.</summary>
    public int CountArtifacts() =>
        Directory.Exists(ArtifactDirectory)
            ? Directory.EnumerateFiles(ArtifactDirectory, "*", SearchOption.AllDirectories).Count()
            : 0;
}

/// <summary>The same server as <see cref="ComputeServerFixture"/>, storing its rows in a fresh PostgreSQL database.</summary>
public sealed class PostgresComputeServerFixture : ComputeServerFixture
{
    public override bool UsesPostgres => true;
}
