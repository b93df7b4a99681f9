using System.Runtime.InteropServices;

namespace UnlearnDashboard.AppHost;

/// <summary>Cancellation source triggered by Ctrl+C (SIGINT) or SIGTERM.</summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    private ShutdownSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _source.Token;

    public static ShutdownSignal Register() => new();

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // A second signal during shutdown takes the default action, so a stuck launcher can still be stopped.
        if (_source.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        _source.Cancel();
    }
}
