using Grpc.Core;
using Grpc.Net.Client;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// A Compute process on its own data folder, without demo seeding, whose import folder contains the shipped
/// CSV files. The server can be killed and started again on the same folder, with other arguments.
/// </summary>
public sealed class IsolatedCompute : IAsyncDisposable
{
    // Generous bound for one job on a 2-core machine; a test that hits it fails instead of hanging.
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    private ServerProcess? _server;
    private GrpcChannel? _channel;

    private IsolatedCompute()
    {
    }

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("unlearn-isolated-").FullName;

    public string ArtifactDirectory => Path.Combine(DataDirectory, "artifacts");

    public string StagingDirectory => Path.Combine(DataDirectory, "staging");

    public ServerProcess Server => _server ?? throw new InvalidOperationException("Compute is not running.");

    public DatasetService.DatasetServiceClient Datasets => new(Channel);

    public ModelService.ModelServiceClient Models => new(Channel);

    public JobService.JobServiceClient Jobs => new(Channel);

    public AuditService.AuditServiceClient Audit => new(Channel);

    private GrpcChannel Channel => _channel ?? throw new InvalidOperationException("Compute is not running.");

    /// <summary>Creates the data folder with the shipped CSV files to import and starts the server on it.</summary>
    public static async Task<IsolatedCompute> StartAsync(params string[] arguments)
    {
        var compute = new IsolatedCompute();
        string import = Path.Combine(compute.DataDirectory, "import");
        Directory.CreateDirectory(import);
        string shipped = Path.Combine(Path.GetDirectoryName(ComputeProcess.ComputeAssembly)!, "Datasets");
        foreach (string file in Directory.EnumerateFiles(shipped, "*.csv"))
            File.Copy(file, Path.Combine(import, Path.GetFileName(file)));

        await compute.StartServerAsync(arguments);
        return compute;
    }

    /// <summary>Starts the server on the data folder with extra command-line arguments and waits until it serves.</summary>
    public async Task StartServerAsync(params string[] arguments)
    {
        _server = ServerProcess.Start("ComputeAssembly", ["--DataDirectory", DataDirectory, "--SeedDemo", "false", .. arguments]);
        await _server.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        _channel = _server.CreateChannel();
    }

    /// <summary>Kills the server process with SIGKILL, as a crash would, leaving the data folder as it is.</summary>
    public async Task KillServerAsync()
    {
        _channel?.Dispose();
        _channel = null;
        await Server.KillAsync();
        await Server.DisposeAsync();
        _server = null;
    }

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

    /// <summary>Trains a one-epoch model on the dataset and returns its finished job; throws with the server log when it fails.</summary>
    public async Task<Job> TrainAsync(string dataset)
    {
        var job = await Jobs.TrainModelAsync(new TrainModelRequest { Dataset = dataset, Settings = new ModelSettings { Epochs = 1 } });
        var finished = await WaitForEndAsync(job.Id);
        if (finished.State != JobState.Succeeded)
            throw new InvalidOperationException($"Training on {dataset} ended as {finished.State}: {finished.Error}\n{Server.Log}");
        return finished;
    }

    /// <summary>Waits for the job's final event and returns the job.</summary>
    public async Task<Job> WaitForEndAsync(string jobId)
    {
        using var call = Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow + JobTimeout);
        await foreach (var _ in call.ResponseStream.ReadAllAsync())
        {
        }

        return await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
    }

    /// <summary>Returns the paths of every artifact file, relative to the artifact folder and sorted.</summary>
    public List<string> ListArtifacts() =>
        Directory.EnumerateFiles(ArtifactDirectory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(ArtifactDirectory, path))
            .Order(StringComparer.Ordinal)
            .ToList();

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
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
