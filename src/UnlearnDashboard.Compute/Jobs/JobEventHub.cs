using System.Threading.Channels;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Fans stored job events out to live watchers. Publishing happens only after an event is stored, so a
/// watcher that subscribes before reading the stored events misses nothing.
/// </summary>
public sealed class JobEventHub
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Channel<JobEvent>>> _watchers = [];

    /// <summary>Starts receiving the job's events as they are published; dispose the subscription to stop.</summary>
    public JobSubscription Subscribe(string jobId)
    {
        var channel = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            if (!_watchers.TryGetValue(jobId, out var channels))
                _watchers[jobId] = channels = [];
            channels.Add(channel);
        }

        return new JobSubscription(channel.Reader, () => Unsubscribe(jobId, channel));
    }

    /// <summary>Sends stored events to the job's watchers; a terminal event also ends their subscriptions.</summary>
    public void Publish(string jobId, IEnumerable<JobEvent> events)
    {
        lock (_lock)
        {
            if (!_watchers.TryGetValue(jobId, out var channels))
                return;

            foreach (var jobEvent in events)
            {
                foreach (var channel in channels)
                    channel.Writer.TryWrite(jobEvent);

                if (IsTerminal(jobEvent))
                {
                    foreach (var channel in channels)
                        channel.Writer.TryComplete();
                    _watchers.Remove(jobId);
                    return;
                }
            }
        }
    }

    /// <summary>Returns true when at least one watcher follows the job.</summary>
    public bool HasWatchers(string jobId)
    {
        lock (_lock)
            return _watchers.ContainsKey(jobId);
    }

    /// <summary>Returns the ids of the jobs that watchers follow.</summary>
    public IReadOnlyList<string> WatchedJobIds()
    {
        lock (_lock)
            return [.. _watchers.Keys];
    }

    public static bool IsTerminal(JobEvent jobEvent) =>
        jobEvent.EventCase is JobEvent.EventOneofCase.Result or JobEvent.EventOneofCase.Ended;

    private void Unsubscribe(string jobId, Channel<JobEvent> channel)
    {
        channel.Writer.TryComplete();
        lock (_lock)
        {
            if (_watchers.TryGetValue(jobId, out var channels) && channels.Remove(channel) && channels.Count == 0)
                _watchers.Remove(jobId);
        }
    }
}

/// <summary>A watcher's live feed of one job's events.</summary>
public sealed class JobSubscription(ChannelReader<JobEvent> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<JobEvent> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}
