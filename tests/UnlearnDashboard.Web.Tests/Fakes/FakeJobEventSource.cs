using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Lets a test push job events to a subscribed component, as the jobs hub would.</summary>
public sealed class FakeJobEventSource : IJobEventSource
{
    private Func<JobStreamEvent, Task>? _onEvent;
    private Func<string, Task>? _onFailure;

    public string? JobId { get; private set; }

    public long AfterSequence { get; private set; }

    public bool Disposed { get; private set; }

    public Task<IAsyncDisposable> SubscribeAsync(
        string jobId,
        long afterSequence,
        Func<JobStreamEvent, Task> onEvent,
        Func<string, Task> onFailure,
        CancellationToken cancellationToken)
    {
        JobId = jobId;
        AfterSequence = afterSequence;
        _onEvent = onEvent;
        _onFailure = onFailure;
        return Task.FromResult<IAsyncDisposable>(new Subscription(this));
    }

    public Task PushAsync(JobStreamEvent jobEvent) =>
        (_onEvent ?? throw new InvalidOperationException("Nothing subscribed."))(jobEvent);

    public Task FailAsync(string message) =>
        (_onFailure ?? throw new InvalidOperationException("Nothing subscribed."))(message);

    private sealed class Subscription(FakeJobEventSource source) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            source.Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
