namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// In-memory state of a job that is queued or running: its cancellation sources and whether a worker has
/// taken it. <see cref="Gate"/> guards the hand-over between a worker starting the job and a cancellation.
/// </summary>
internal sealed class ActiveJob : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private bool _disposed;

    public ActiveJob(string id, double? deadlineSeconds, TimeProvider time, CancellationToken stopping)
    {
        Id = id;
        DeadlineSeconds = deadlineSeconds;
        _deadline = deadlineSeconds is { } seconds
            ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), time)
            : new CancellationTokenSource();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, _deadline.Token, stopping);
        Stopping = stopping;
    }

    public string Id { get; }

    public double? DeadlineSeconds { get; }

    public Lock Gate { get; } = new();

    /// <summary>True once a worker has taken the job; guarded by <see cref="Gate"/>.</summary>
    public bool Started { get; set; }

    /// <summary>True once the job was cancelled before a worker took it; guarded by <see cref="Gate"/>.</summary>
    public bool CancelledWhileQueued { get; set; }

    /// <summary>Fires on CancelJob, on the deadline and on server shutdown.</summary>
    public CancellationToken Token => _linked.Token;

    public CancellationToken Stopping { get; }

    public bool CancelRequested => _cancel.IsCancellationRequested;

    public bool DeadlinePassed => _deadline.IsCancellationRequested;

    /// <summary>Completes when the job has reached its final state.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests cancellation; does nothing once the job has finished and been disposed.</summary>
    public void Cancel()
    {
        lock (Gate)
        {
            if (!_disposed)
                _cancel.Cancel();
        }
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
                return;

            _disposed = true;
            _linked.Dispose();
            _deadline.Dispose();
            _cancel.Dispose();
        }
    }
}
