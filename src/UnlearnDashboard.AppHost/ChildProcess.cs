using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UnlearnDashboard.AppHost;

/// <summary>A server started with <c>dotnet ASSEMBLY.dll</c>, whose output lines are forwarded with a prefix such as "[web] ".</summary>
internal sealed class ChildProcess : IDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly string _prefix;
    private readonly TextWriter _output;
    private readonly Lock _outputLock = new();

    private ChildProcess(Process process, string name, TextWriter output)
    {
        _process = process;
        _prefix = $"[{name}] ";
        _output = output;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="assemblyPath"/> with the dotnet host, in <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="FileNotFoundException">The assembly does not exist. Build the launcher first.</exception>
    public static ChildProcess Start(
        string name,
        string assemblyPath,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        TextWriter output)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"{assemblyPath} does not exist. Build it with 'dotnet build src/UnlearnDashboard.AppHost'.", assemblyPath);
        }

        var startInfo = new ProcessStartInfo(DotnetHost.Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name, output);
        process.OutputDataReceived += (_, line) => child.Forward(line.Data);
        process.ErrorDataReceived += (_, line) => child.Forward(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Asks the server to shut down with SIGTERM, and kills it when it has not exited after <paramref name="gracePeriod"/>.</summary>
    public async Task StopAsync(TimeSpan gracePeriod)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || SendSignal(_process.Id, SigTerm) != 0)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(gracePeriod);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _output.WriteLine($"{_prefix}did not stop within {gracePeriod.TotalSeconds:0} s; killing it.");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public void Dispose() => _process.Dispose();

    private void Forward(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.WriteLine(_prefix + line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int processId, int signal);
}
