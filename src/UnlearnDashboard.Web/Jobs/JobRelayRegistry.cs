using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Keeps one <see cref="JobRelay"/> per watched job and the hub connections watching it. A relay starts with its
/// first subscriber and is stopped once the job has ended and nobody watches it. A later subscriber then gets a
/// new relay, which reads the stored events again with a fresh WatchJob call.
/// </summary>
public sealed class JobRelayRegistry(
    IServiceProvider services,
    IHubContext<JobsHub, IJobHubClient> hub,
    IOptions<JobStreamOptions> options,
    ILogger<JobRelayRegistry> logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];
    private int _startedRelays;

    /// <summary>Relays that exist now.</summary>
    public int ActiveRelayCount
    {
        get
        {
            lock (_lock)
                return _entries.Count;
        }
    }

    /// <summary>Relays started since the process began.</summary>
    public int StartedRelayCount => Volatile.Read(ref _startedRelays);

    /// <summary>Returns the relay of <paramref name="jobId"/>, or null when none runs.</summary>
    public JobRelay? Find(string jobId)
    {
        lock (_lock)
            return _entries.GetValueOrDefault(jobId)?.Relay;
    }

    /// <summary>Returns the relay of <paramref name="jobId"/> when <paramref name="connectionId"/> watches it.</summary>
    public JobRelay? Find(string jobId, string connectionId)
    {
        lock (_lock)
            return _entries.TryGetValue(jobId, out var entry) && entry.Watchers.Contains(connectionId) ? entry.Relay : null;
    }

    /// <summary>Records <paramref name="connectionId"/> as a watcher of the job and returns its relay, starting one if needed.</summary>
    public JobRelay Attach(string jobId, string connectionId)
    {
        JobRelay relay;
        lock (_lock)
        {
            if (_entries.TryGetValue(jobId, out var entry))
            {
                entry.Watchers.Add(connectionId);
                return entry.Relay;
            }

            relay = new JobRelay(
                jobId,
                services.GetRequiredService<JobService.JobServiceClient>(),
                hub,
                options.Value,
                logger,
                OnRelayEnded);
            _entries[jobId] = new Entry(relay, [connectionId]);
            _startedRelays++;
        }

        WebLog.RelayStarted(logger, jobId);
        relay.Start();
        return relay;
    }

    public async Task DetachAsync(string jobId, string connectionId)
    {
        JobRelay? stopped = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(jobId, out var entry) && entry.Watchers.Remove(connectionId)
                && entry.Watchers.Count == 0 && entry.Relay.HasEnded)
            {
                _entries.Remove(jobId);
                stopped = entry.Relay;
            }
        }

        if (stopped is not null)
            await StopAsync(stopped);
    }

    /// <summary>Removes a closed hub connection from every job it watched.</summary>
    public async Task DetachAllAsync(string connectionId)
    {
        List<string> jobIds;
        lock (_lock)
            jobIds = _entries.Where(pair => pair.Value.Watchers.Contains(connectionId)).Select(pair => pair.Key).ToList();

        foreach (string jobId in jobIds)
            await DetachAsync(jobId, connectionId);
    }

    private void OnRelayEnded(JobRelay relay)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(relay.JobId, out var entry) || entry.Relay != relay || entry.Watchers.Count > 0)
                return;
            _entries.Remove(relay.JobId);
        }

        // Called from the relay's own loop, so it is disposed after that loop returns.
        _ = Task.Run(() => StopAsync(relay));
    }

    private async Task StopAsync(JobRelay relay)
    {
        await relay.DisposeAsync();
        WebLog.RelayStopped(logger, relay.JobId);
    }

    public async ValueTask DisposeAsync()
    {
        List<JobRelay> relays;
        lock (_lock)
        {
            relays = _entries.Values.Select(entry => entry.Relay).ToList();
            _entries.Clear();
        }

        foreach (var relay in relays)
            await relay.DisposeAsync();
    }

    private sealed record Entry(JobRelay Relay, HashSet<string> Watchers);
}
