using Microsoft.AspNetCore.SignalR.Client;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Jobs.Authentication;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Subscribes to job events through a HubConnection from the circuit to this process's jobs hub. Each
/// subscription has its own connection, which reconnects by itself and then asks for the events after the last
/// one delivered. The connection authenticates with a circuit token of the circuit's signed-in user, so the hub
/// reads the job from the compute server with that user's session token.
/// </summary>
public sealed class HubJobEventSource(
    HubUrlResolver urls,
    CircuitTokenService tokens,
    UserSession session,
    ILogger<HubJobEventSource> logger) : IJobEventSource
{
    public async Task<IAsyncDisposable> SubscribeAsync(
        string jobId,
        long afterSequence,
        Func<JobStreamEvent, Task> onEvent,
        Func<string, Task> onFailure,
        CancellationToken cancellationToken)
    {
        var user = session.User;
        var connection = new HubConnectionBuilder()
            .WithUrl(urls.Resolve(), options => options.AccessTokenProvider = () => Task.FromResult<string?>(tokens.Issue(user)))
            .WithAutomaticReconnect()
            .Build();

        var subscription = new Subscription(connection, jobId, afterSequence, onEvent, onFailure, logger);
        try
        {
            await subscription.StartAsync(cancellationToken);
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }

        return subscription;
    }

    private sealed class Subscription(
        HubConnection connection,
        string jobId,
        long afterSequence,
        Func<JobStreamEvent, Task> onEvent,
        Func<string, Task> onFailure,
        ILogger logger) : IAsyncDisposable
    {
        private readonly JobEventSequencer _sequencer = new(afterSequence);
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly List<IDisposable> _handlers = [];
        private bool _disposed;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            _handlers.Add(connection.On<JobStreamEvent>(nameof(IJobHubClient.JobEvent), jobEvent =>
                jobEvent.JobId == jobId ? DeliverAsync([jobEvent]) : Task.CompletedTask));
            _handlers.Add(connection.On<string, string>(nameof(IJobHubClient.JobStreamFailed), (failedJobId, message) =>
                failedJobId == jobId ? onFailure(message) : Task.CompletedTask));
            connection.Reconnected += _ => CatchUpAsync(nameof(JobsHub.Subscribe), CancellationToken.None);
            connection.Closed += exception => exception is null || _disposed
                ? Task.CompletedTask
                : onFailure("The live connection to the dashboard server was lost; reload the page to resume.");

            await connection.StartAsync(cancellationToken);
            await CatchUpAsync(nameof(JobsHub.Subscribe), cancellationToken);
        }

        private async Task CatchUpAsync(string method, CancellationToken cancellationToken)
        {
            try
            {
                var events = await connection.InvokeAsync<List<JobStreamEvent>>(method, jobId, _sequencer.LastSequence, cancellationToken);
                await DeliverAsync(events);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && !_disposed)
            {
                WebLog.SubscriptionCatchUpFailed(logger, jobId, exception);
                await onFailure($"Could not load the events of job {jobId}: {exception.Message}");
            }
        }

        private async Task DeliverAsync(IEnumerable<JobStreamEvent> events)
        {
            bool hasGap;
            await _gate.WaitAsync();
            try
            {
                foreach (var jobEvent in events)
                {
                    foreach (var ready in _sequencer.Add(jobEvent))
                        await onEvent(ready);
                }

                hasGap = _sequencer.HasGap;
            }
            finally
            {
                _gate.Release();
            }

            if (hasGap && !_disposed)
                _ = CatchUpAsync(nameof(JobsHub.GetEvents), CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
                return;
            _disposed = true;

            foreach (var handler in _handlers)
                handler.Dispose();

            try
            {
                if (connection.State == HubConnectionState.Connected)
                    await connection.InvokeAsync(nameof(JobsHub.Unsubscribe), jobId);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Closing the connection below also detaches it from the job.
                WebLog.UnsubscribeFailed(logger, jobId, exception);
            }

            await connection.DisposeAsync();
            _gate.Dispose();
        }
    }
}
