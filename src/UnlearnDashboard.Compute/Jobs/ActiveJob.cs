namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// In-memory state of a job that is queued or running: its cancellation sources and whether a worker has
/// taken it. <see cref="Gate"/> guards the hand-over between a worker starting the job and a cancellation.
/// </summary>
internal sealed class ActiveJob : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _leaseLost = new();
    private readonly CancellationTokenSource _linked;
    private bool _disposed;

    /// <param name="id">The job's id.</param>
    /// <param name="deadlineSeconds">Seconds from submission after which the job is cancelled; null for none.</param>
    /// <param name="time">Clock of the deadline.</param>
    /// <param name="stopping">Fires when the server stops.</param>
    /// <param name="sinceSubmission">Time that has passed since submission, for a job claimed from the shared queue.</param>
    /// <param name="lease">The lease under which this server runs a job of the shared queue; null on SQLite.</param>
    public ActiveJob(string id, double? deadlineSeconds, TimeProvider time, CancellationToken stopping, TimeSpan sinceSubmission = default, JobLease? lease = null)
    {
        Id = id;
        DeadlineSeconds = deadlineSeconds;
        Lease = lease;
        _deadline = deadlineSeconds is { } seconds
            ? new CancellationTokenSource(Max(TimeSpan.FromSeconds(seconds) - sinceSubmission, TimeSpan.Zero), time)
            : new CancellationTokenSource();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, _deadline.Token, _leaseLost.Token, stopping);
        Stopping = stopping;
    }

    public string Id { get; }

    public double? DeadlineSeconds { get; }

    public JobLease? Lease { get; }

    public Lock Gate { get; } = new();

    /// <summary>True once a worker has taken the job; guarded by <see cref="Gate"/>.</summary>
    public bool Started { get; set; }

    /// <summary>True once the job was cancelled before a worker took it; guarded by <see cref="Gate"/>.</summary>
    public bool CancelledWhileQueued { get; set; }

    /// <summary>Fires on CancelJob, on the deadline, on a lost lease and on server shutdown.</summary>
    public CancellationToken Token => _linked.Token;

    public CancellationToken Stopping { get; }

    public bool CancelRequested => _cancel.IsCancellationRequested;

    public bool DeadlinePassed => _deadline.IsCancellationRequested;

    /// <summary>True once another server has taken the job over; this server then stores nothing more for it.</summary>
    public bool LeaseLost => _leaseLost.IsCancellationRequested;

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

    /// <summary>Stops the job because its lease no longer holds it; does nothing once the job has been disposed.</summary>
    public void LoseLease()
    {
        lock (Gate)
        {
            if (!_disposed)
                _leaseLost.Cancel();
        }
    }

    private static TimeSpan Max(TimeSpan left, TimeSpan right) => left > right ? left : right;

    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
                return;

            _disposed = true;
            _linked.Dispose();
            _deadline.Dispose();
            _leaseLost.Dispose();
            _cancel.Dispose();
        }
    }
}
