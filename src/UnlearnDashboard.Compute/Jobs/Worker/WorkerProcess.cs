using System.Diagnostics;
using Wire = UnlearnDashboard.Protos.Worker.V1;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>
/// One running <c>UnlearnDashboard.Compute worker</c> process: its protocol streams, the tail of its stderr
/// and its exit. Disposing it kills a worker that is still running.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>How long a worker may take to stop after Cancel before it is killed.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(1);

    private const int StderrTailLines = 20;

    private readonly Process _process;
    private readonly string _jobId;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inputLock = new(1, 1);
    private readonly Queue<string> _stderrTail = new();
    private int _stopRequested;

    private WorkerProcess(Process process, string jobId, ILogger logger)
    {
        _process = process;
        _jobId = jobId;
        _logger = logger;
    }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the worker wrote to stderr, oldest first.</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderrTail)
                return string.Join('\n', _stderrTail);
        }
    }

    /// <summary>The runtime setting that lets methods with loops start as quick, unoptimised JIT code.</summary>
    internal const string QuickJitForLoops = "DOTNET_TC_QuickJitForLoops";

    /// <summary>The OpenMP setting that caps libtorch's threads in the worker.</summary>
    internal const string ThreadCount = "OMP_NUM_THREADS";

    /// <summary>Starts a worker for a job; see <see cref="StartInfo"/> for its command line and environment.</summary>
    public static WorkerProcess Start(string jobId, int threads, ILogger logger)
    {
        var start = StartInfo(jobId, threads, Environment.GetEnvironmentVariable);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"The worker process of job {jobId} did not start.");
        var worker = new WorkerProcess(process, jobId, logger);
        process.ErrorDataReceived += (_, line) => worker.OnStderr(line.Data);
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>
    /// Returns how to start a worker from this server's own executable (or <c>dotnet</c> with its assembly), with
    /// <c>OMP_NUM_THREADS</c> set to <paramref name="threads"/> and quick JIT for loops off, unless the server's
    /// environment, read through <paramref name="serverVariable"/>, sets either; the worker then inherits it.
    /// </summary>
    internal static ProcessStartInfo StartInfo(string jobId, int threads, Func<string, string?> serverVariable)
    {
        string assembly = typeof(WorkerProcess).Assembly.Location;
        string appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (File.Exists(appHost))
        {
            start.FileName = appHost;
        }
        else
        {
            start.FileName = serverVariable("DOTNET_HOST_PATH") ?? "dotnet";
            start.ArgumentList.Add(assembly);
        }

        if (string.IsNullOrEmpty(serverVariable(ThreadCount)))
            start.Environment[ThreadCount] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A worker runs each numeric loop a few times over many rows, so quick (unoptimised) JIT code for methods with
        // loops never pays off. It made the first choice of the harmful rows among Adult's 27,146 scores many times
        // slower than later ones.
        if (string.IsNullOrEmpty(serverVariable(QuickJitForLoops)))
            start.Environment[QuickJitForLoops] = "0";

        // The job id is in the command line so that an operator (or a test) can tell workers apart.
        start.ArgumentList.Add(WorkerEntryPoint.Command);
        start.ArgumentList.Add("--job");
        start.ArgumentList.Add(jobId);
        return start;
    }

    public async Task SendAsync(Wire.ServerMessage message, CancellationToken cancellationToken)
    {
        await _inputLock.WaitAsync(cancellationToken);
        try
        {
            await WorkerProtocol.WriteAsync(_process.StandardInput.BaseStream, message, cancellationToken);
        }
        finally
        {
            _inputLock.Release();
        }
    }

    /// <summary>Reads the worker's next message, or returns null once it has closed stdout (usually by exiting).</summary>
    public Task<Wire.WorkerMessage?> ReadAsync(CancellationToken cancellationToken) =>
        WorkerProtocol.ReadAsync(_process.StandardOutput.BaseStream, Wire.WorkerMessage.Parser, cancellationToken);

    /// <summary>Waits for the worker to exit and returns its exit code (128 + the signal number after a signal).</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>
    /// Sends Cancel and kills the worker if it has not exited within <see cref="StopTimeout"/> of the request, sending
    /// included. Returns at once; only the first call acts.
    /// </summary>
    public void RequestStop()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 0)
            _ = StopAsync();
    }

    private async Task StopAsync()
    {
        // One budget for sending and waiting: a worker too busy to read the message within it is killed at its end,
        // not a second budget later.
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await SendAsync(new Wire.ServerMessage { Cancel = new Wire.Cancel() }, timeout.Token);
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The worker has exited or stopped reading; the wait below decides whether to kill it.
        }

        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _logger.WorkerKilled(_jobId, _process.Id, StopTimeout.TotalSeconds);
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Disposed meanwhile, which kills it.
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
            return;

        _logger.WorkerOutput(_jobId, _process.Id, line);
        lock (_stderrTail)
        {
            _stderrTail.Enqueue(line);
            if (_stderrTail.Count > StderrTailLines)
                _stderrTail.Dequeue();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _inputLock.Dispose();
    }
}
