using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// On PostgreSQL, listens for the notifications that every compute server sends when it stores a job's events
/// or when CancelJob asks a job to stop. New events of jobs that this server's watchers follow are read back
/// from the database in order and published to the <see cref="JobEventHub"/>; a cancel request reaches the job
/// if it runs here. Does nothing on SQLite, where the store publishes events directly.
/// </summary>
/// <remarks>
/// Notifications sent while the listening connection is down are lost, so the stored events of every watched
/// job are also read every <see cref="SweepInterval"/>, and the lease renewal picks up lost cancel requests.
/// </remarks>
public sealed class JobNotificationListener(
    PostgresJobQueue queue,
    JobStore store,
    JobEventHub hub,
    JobScheduler scheduler,
    ILogger<JobNotificationListener> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

    private readonly Channel<string> _jobsToRelay = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    // Highest sequence published per watched job; only the relay loop touches it.
    private readonly Dictionary<string, long> _published = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        store.IsShared ? Task.WhenAll(ListenAsync(stoppingToken), RelayAsync(stoppingToken)) : Task.CompletedTask;

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await queue.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {JobStore.EventsChannel}; LISTEN {PostgresJobQueue.CancelChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);

                // Events stored while this server was not listening reach its watchers now.
                var sinceSweep = Stopwatch.StartNew();
                QueueWatchedJobs();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(SweepInterval, stoppingToken);
                    if (sinceSweep.Elapsed >= SweepInterval)
                    {
                        QueueWatchedJobs();
                        sinceSweep.Restart();
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException or IOException)
            {
                logger.ListenFailed(error, ReconnectDelay.TotalSeconds);
                try
                {
                    await Task.Delay(ReconnectDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        if (notification.Channel == JobStore.EventsChannel)
            _jobsToRelay.Writer.TryWrite(notification.Payload);
        else if (notification.Channel == PostgresJobQueue.CancelChannel)
            scheduler.CancelIfRunningHere(notification.Payload);
    }

    private void QueueWatchedJobs()
    {
        foreach (string jobId in hub.WatchedJobIds())
            _jobsToRelay.Writer.TryWrite(jobId);
    }

    private async Task RelayAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (string jobId in _jobsToRelay.Reader.ReadAllAsync(stoppingToken))
            {
                if (!hub.HasWatchers(jobId))
                {
                    _published.Remove(jobId);
                    continue;
                }

                try
                {
                    // Watchers skip events they already have, so starting from the job's first event is safe.
                    var events = await store.ReadEventsAsync(jobId, _published.GetValueOrDefault(jobId), stoppingToken);
                    if (events.Count == 0)
                        continue;

                    hub.Publish(jobId, events);
                    _published[jobId] = events[^1].Sequence;
                    if (events.Any(JobEventHub.IsTerminal))
                        _published.Remove(jobId);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    logger.RelayFailed(error, jobId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping; its watch streams end with it.
        }
    }
}
