using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>A server built by this solution, run with <c>dotnet</c> in its own process on a free loopback port.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process, string name, string url)
    {
        _process = process;
        Name = name;
        Url = url;
    }

    public string Name { get; }

    public string Url { get; }

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

    /// <summary>Starts the assembly named by the test assembly's <paramref name="assemblyKey"/> metadata with <c>--urls</c> and the given arguments.</summary>
    public static ServerProcess Start(string assemblyKey, params string[] arguments)
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
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet did not start {assembly}");
        var server = new ServerProcess(process, Path.GetFileNameWithoutExtension(assembly), url);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Throws with the server's output when it has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{Log}");
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
