using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>
/// Base of the pages that call the compute server. Leaving the page cancels its pending calls.
/// <see cref="CallComputeAsync"/> handles the two expected failures of a call: it ignores the cancellation once the
/// page has closed, and it passes the message of a <see cref="ComputeUnavailableException"/> to the page.
/// </summary>
public abstract class ComputePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>True once the page was disposed, that is once the user left it.</summary>
    protected bool IsPageClosed => _disposed.IsCancellationRequested;

    /// <summary>
    /// Runs one or more calls to the compute server with a token that is cancelled when the user leaves the page.
    /// </summary>
    /// <param name="call">The calls and what the page does with their results, given the page's token.</param>
    /// <param name="onFailure">Receives the message of a <see cref="ComputeUnavailableException"/>, which is written for the user.</param>
    /// <returns>
    /// True when <paramref name="call"/> completed; false when it failed or the user left the page while it ran.
    /// Other exceptions propagate.
    /// </returns>
    protected async Task<bool> CallComputeAsync(Func<CancellationToken, Task> call, Action<string> onFailure)
    {
        try
        {
            await call(_disposed.Token);
            return true;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The user left the page while the call ran.
            return false;
        }
        catch (ComputeUnavailableException exception)
        {
            onFailure(exception.Message);
            return false;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
