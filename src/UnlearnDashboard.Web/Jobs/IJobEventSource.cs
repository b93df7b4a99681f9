namespace UnlearnDashboard.Web.Jobs;

/// <summary>Delivers a job's events to a component.</summary>
public interface IJobEventSource
{
    /// <summary>
    /// Starts delivering the events of <paramref name="jobId"/> after <paramref name="afterSequence"/>: stored ones
    /// first, then live ones, each sequence once and in order, until the subscription is disposed.
    /// <paramref name="onFailure"/> receives a message for the user when the events cannot be read.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(
        string jobId,
        long afterSequence,
        Func<JobStreamEvent, Task> onEvent,
        Func<string, Task> onFailure,
        CancellationToken cancellationToken);
}
