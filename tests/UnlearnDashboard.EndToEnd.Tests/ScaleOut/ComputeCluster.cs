using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests.ScaleOut;

/// <summary>
/// Compute servers, each in its own process, that share one fresh PostgreSQL database and one data folder
/// (whose import folder contains the shipped CSV files), as several machines behind one database would.
/// Leases are short, so a killed server's job is reclaimed within seconds.
/// </summary>
public sealed class ComputeCluster : IAsyncDisposable
{
    /// <summary>Lease length the servers use, in seconds.</summary>
    public const int LeaseSeconds = 3;

    private readonly PostgresTestDatabase _database;
    private readonly List<ClusterServer> _servers = [];

    private ComputeCluster(PostgresTestDatabase database)
    {
        _database = database;
    }

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("unlearn-cluster-").FullName;

    public string DatabaseConnectionString => _database.ConnectionString;

    /// <summary>Creates the database and the data folder; start servers with <see cref="StartServerAsync"/>.</summary>
    public static async Task<ComputeCluster> CreateAsync()
    {
        var cluster = new ComputeCluster(await PostgresTestDatabase.CreateAsync());
        string import = Path.Combine(cluster.DataDirectory, "import");
        Directory.CreateDirectory(import);
        string shipped = Path.Combine(Path.GetDirectoryName(ComputeProcess.ComputeAssembly)!, "Datasets");
        foreach (string file in Directory.EnumerateFiles(shipped, "*.csv"))
            File.Copy(file, Path.Combine(import, Path.GetFileName(file)));
        return cluster;
    }

    /// <summary>Starts one more server on the shared database and folder and waits until it serves.</summary>
    public async Task<ClusterServer> StartServerAsync(params string[] arguments)
    {
        var process = ServerProcess.Start("ComputeAssembly",
        [
            "--DataDirectory", DataDirectory,
            "--SeedDemo", "false",
            "--Database:Provider", "postgres",
            "--Database:ConnectionString", _database.ConnectionString,
            "--Jobs:LeaseSeconds", LeaseSeconds.ToString(),
            .. arguments,
        ]);
        var server = new ClusterServer(process);
        _servers.Add(server);
        await process.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Returns the logs of every server, for assertion messages.</summary>
    public string Logs() => string.Join("\n\n", _servers.Select(s => $"--- {s.Process.Name} {s.Process.ProcessId}:\n{s.Process.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
            await server.DisposeAsync();
        await _database.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>One compute server of a <see cref="ComputeCluster"/> and its gRPC clients.</summary>
public sealed class ClusterServer : IAsyncDisposable
{
    // Generous bound for one job on a 2-core machine; a test that hits it fails instead of hanging.
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    private GrpcChannel? _channel;

    public ClusterServer(ServerProcess process)
    {
        Process = process;
    }

    public ServerProcess Process { get; }

    public DatasetService.DatasetServiceClient Datasets => new(Channel);

    public ModelService.ModelServiceClient Models => new(Channel);

    public JobService.JobServiceClient Jobs => new(Channel);

    public AuditService.AuditServiceClient Audit => new(Channel);

    private GrpcChannel Channel => _channel ??= Process.CreateChannel();

    /// <summary>Registers german-credit.csv under a name, with foreign_worker as the sensitive column.</summary>
    public async Task<Dataset> RegisterGermanCreditAsync(string name) =>
        await Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = name,
                LabelColumn = "credit_risk",
                FavourableLabel = "1",
                SensitiveColumn = "foreign_worker",
                ValidationFraction = 0.2,
                TestFraction = 0.2,
            },
            TrainPath = "german-credit.csv",
        });

    /// <summary>Returns every event of the job from the first until its final one, as this server streams them.</summary>
    public async Task<List<JobEvent>> WatchToEndAsync(string jobId)
    {
        var events = new List<JobEvent>();
        using var call = Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow + JobTimeout);
        await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
            events.Add(jobEvent);
        return events;
    }

    /// <summary>Returns the lease owner and attempt of each recorded start of the job, in order.</summary>
    public async Task<List<(string Owner, int Attempt)>> ListStartsAsync(string jobId)
    {
        var entries = await Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "job.start", Subject = $"job/{jobId}" });
        return entries.Entries.Select(entry =>
        {
            using var details = JsonDocument.Parse(entry.DetailsJson);
            return (details.RootElement.GetProperty("lease_owner").GetString()!, details.RootElement.GetProperty("attempt").GetInt32());
        }).ToList();
    }

    /// <summary>Returns true when a lease owner id names this server's process.</summary>
    public bool Owns(string leaseOwner) => leaseOwner.Split('/')[1] == Process.ProcessId.ToString();

    /// <summary>Kills the server with SIGKILL, as a crash would; its worker processes notice and exit.</summary>
    public async Task KillAsync()
    {
        _channel?.Dispose();
        _channel = null;
        await Process.KillAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await Process.DisposeAsync();
    }
}
