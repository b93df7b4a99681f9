using System.Reflection;
using Grpc.Net.Client;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// A real Compute server in its own process (the shared <see cref="ServerProcess"/>), on a free loopback
/// port, with a fresh data folder that is deleted on dispose. Unless its arguments turn seeding off, it seeds
/// the demo datasets and models on start, as it does for a new user.
/// </summary>
public sealed class ComputeProcess : IAsyncDisposable
{
    private readonly ServerProcess _server;

    private ComputeProcess(ServerProcess server, string dataDirectory)
    {
        _server = server;
        DataDirectory = dataDirectory;
    }

    /// <summary>Path of the built UnlearnDashboard.Compute.dll; its folder also contains the shipped CSVs under Datasets/.</summary>
    public static string ComputeAssembly =>
        typeof(ComputeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ComputeAssembly").Value!;

    public string Url => _server.Url;

    public string DataDirectory { get; }

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log => _server.Log;

    /// <summary>Starts the server; <paramref name="extraArgs"/> are added to its command line, for example to turn seeding off.</summary>
    public static async Task<ComputeProcess> StartAsync(params string[] extraArgs)
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "unlearn-e2e-" + Guid.NewGuid().ToString("N"));
        var server = ServerProcess.Start("ComputeAssembly", ["--DataDirectory", dataDirectory, .. extraArgs]);
        var compute = new ComputeProcess(server, dataDirectory);
        try
        {
            await server.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await compute.DisposeAsync();
            throw;
        }

        return compute;
    }

    /// <summary>Returns a channel that sends the API key of <paramref name="role"/> from the server's credentials.json.</summary>
    public GrpcChannel CreateChannel(string role = ComputeCredentials.DefaultRole) => _server.CreateChannel(role);

    /// <summary>Returns the secret of a role's API key, for example to pass to the CLI as --api-key.</summary>
    public string ApiKey(string role = ComputeCredentials.DefaultRole) => _server.ApiKey(role);

    public async ValueTask DisposeAsync()
    {
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
