using System.Runtime.InteropServices;

namespace UnlearnDashboard.Cli;

/// <summary>
/// Cancellation source triggered by Ctrl+C (SIGINT) or SIGTERM, so that a running command can stop
/// watching a job and tell the user how to reach it again instead of the process dying mid-line.
/// </summary>
internal sealed class TerminationSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    private TerminationSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _source.Token;

    public static TerminationSignal Register() => new();

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // A second signal while the first is being handled falls through to the default action,
        // so a stuck command can still be killed.
        if (_source.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        _source.Cancel();
    }
}
