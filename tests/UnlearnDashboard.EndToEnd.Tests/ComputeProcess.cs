using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// A real Compute server in its own process, on a free loopback port, with a fresh data folder. It seeds the
/// demo datasets and models on start, as it does for a new user.
/// </summary>
public sealed class ComputeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ComputeProcess(Process process, string url, string dataDirectory)
    {
        _process = process;
        Url = url;
        DataDirectory = dataDirectory;
    }

    public string Url { get; }

    public string DataDirectory { get; }

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>Starts the server; <paramref name="extraArgs"/> are added to its command line, for example to turn seeding off.</summary>
    public static async Task<ComputeProcess> StartAsync(params string[] extraArgs)
    {
        string assembly = ComputeAssembly;
        string dataDirectory = Path.Combine(Path.GetTempPath(), "unlearn-e2e-" + Guid.NewGuid().ToString("N"));
        string url = $"http://127.0.0.1:{FreePort()}";

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { assembly, "--urls", url, "--DataDirectory", dataDirectory }.Concat(extraArgs))
            start.ArgumentList.Add(argument);

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ComputeProcess(process, url, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Path of the built UnlearnDashboard.Compute.dll; its folder also holds the shipped CSVs under Datasets/.</summary>
    public static string ComputeAssembly =>
        typeof(ComputeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ComputeAssembly").Value!;

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Url, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var channel = CreateChannel();
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Compute exited with code {_process.ExitCode}:\n{Log}");
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                    return;
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Compute did not report SERVING within {timeout.TotalSeconds} s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
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
