using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Starts the real compute server (the registration Program.cs uses, Kestrel on a free loopback port,
/// HTTP/2, SQLite and TorchSharp) in a temporary data folder whose import folder holds the shipped CSVs.
/// </summary>
public class ComputeServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private GrpcChannel? _channel;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("unlearn-compute-tests-").FullName;

    public string ImportDirectory => Path.Combine(DataDirectory, "import");

    public string ArtifactDirectory => Path.Combine(DataDirectory, "artifacts");

    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("The server has not started.");

    public DatasetService.DatasetServiceClient Datasets => new(Channel);

    public ModelService.ModelServiceClient Models => new(Channel);

    public JobService.JobServiceClient Jobs => new(Channel);

    protected virtual bool SeedDemo => false;

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(ImportDirectory);
        foreach (string file in Directory.EnumerateFiles(DatasetProfiles.DataFolder, "*.csv"))
            File.Copy(file, Path.Combine(ImportDirectory, Path.GetFileName(file)));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                "--DataDirectory", DataDirectory,
                "--SeedDemo", SeedDemo.ToString(),
                "--urls", "http://127.0.0.1:0",
                "--Kestrel:EndpointDefaults:Protocols", "Http2",
                "--Logging:LogLevel:Default", "Warning",
            ],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddComputeServer();

        _app = builder.Build();
        _app.MapComputeServer();
        await _app.StartAsync();

        _channel = GrpcChannel.ForAddress(_app.Urls.Single());
    }

    public virtual async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>Returns the number of artifact files stored so far.</summary>
    public int CountArtifacts() =>
        Directory.Exists(ArtifactDirectory)
            ? Directory.EnumerateFiles(ArtifactDirectory, "*", SearchOption.AllDirectories).Count()
            : 0;
}
