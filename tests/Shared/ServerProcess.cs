using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace UnlearnDashboard.Tests.Shared;

/// <summary>
/// A server built by this solution, run with <c>dotnet</c> in its own process on a free loopback port, with
/// its stdout and stderr captured. Linked into every test project that starts real server processes.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process, string name, string url, string? dataDirectory)
    {
        _process = process;
        Name = name;
        Url = url;
        DataDirectory = dataDirectory;
    }

    public string Name { get; }

    public string Url { get; }

    public int ProcessId => _process.Id;

    /// <summary>The value of the server's <c>--DataDirectory</c> argument, or null when it has none.</summary>
    public string? DataDirectory { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>
    /// Starts the assembly named by the test assembly's <paramref name="assemblyKey"/> metadata with
    /// <c>--urls</c> and the given arguments.
    /// </summary>
    public static ServerProcess Start(string assemblyKey, params string[] arguments) =>
        Start(assemblyKey, new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="Start(string, string[])"/>, with <paramref name="environment"/> added to the process's environment.</summary>
    public static ServerProcess Start(string assemblyKey, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        string assembly = typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == assemblyKey).Value!;
        if (!File.Exists(assembly))
            throw new FileNotFoundException($"{assembly} is missing; build the solution first (bash .ci/run builds it).", assembly);

        string url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet did not start {assembly}");
        int dataArgument = Array.IndexOf(arguments, "--DataDirectory");
        string? dataDirectory = dataArgument >= 0 && dataArgument + 1 < arguments.Length ? arguments[dataArgument + 1] : null;
        var server = new ServerProcess(process, Path.GetFileNameWithoutExtension(assembly), url, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Returns a channel to a gRPC server that accepts responses up to 64 MiB and sends the API key of
    /// <paramref name="role"/> from the server's credentials.json. Call it once the server serves, because the
    /// server writes that file on its first start before it listens.
    /// </summary>
    public GrpcChannel CreateChannel(string role = ComputeCredentials.DefaultRole) =>
        ComputeCredentials.CreateChannel(Url, ApiKey(role));

    /// <summary>Returns a channel that sends no credential, for the anonymous health check and for access tests.</summary>
    public GrpcChannel CreateAnonymousChannel() => ComputeCredentials.CreateChannel(Url, null);

    /// <summary>Returns the secret of a role's API key from credentials.json in the server's data folder.</summary>
    public string ApiKey(string role = ComputeCredentials.DefaultRole) =>
        ComputeCredentials.ReadSecret(DataDirectory ?? throw new InvalidOperationException($"{Name} was started without --DataDirectory."), role);

    /// <summary>Waits until a gRPC server reports SERVING on the standard health service.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var channel = CreateAnonymousChannel();
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ThrowIfExited();
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

        throw new TimeoutException($"{Name} did not report SERVING within {timeout.TotalSeconds} s:\n{Log}");
    }

    /// <summary>Waits until the server's output contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            ThrowIfExited();
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} did not log '{text}' within {timeout.TotalSeconds} s:\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>Throws with the server's output when it has exited.</summary>
    /// <summary>Waits for the process to exit by itself and returns its exit code; throws when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} was still running after {timeout.TotalSeconds} s:\n{Log}");
        }

        return _process.ExitCode;
    }

    public void ThrowIfExited()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{Log}");
    }

    /// <summary>Kills the server alone with SIGKILL, as a crash would, and waits for it to exit; its child processes are left to notice.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
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
    }
}
