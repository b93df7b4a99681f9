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
            return _entries.TryGetValue(jobId, out var entry) && entry.Watchers.ContainsKey(connectionId) ? entry.Relay : null;
    }

    /// <summary>
    /// Records <paramref name="connectionId"/> as a watcher of the job and returns its relay, starting one if
    /// needed. The relay's WatchJob calls carry the session token of the latest watcher still attached.
    /// </summary>
    public JobRelay Attach(string jobId, string connectionId, string sessionToken)
    {
        JobRelay relay;
        lock (_lock)
        {
            if (_entries.TryGetValue(jobId, out var existing))
            {
                existing.Watchers.Remove(connectionId);
                existing.Watchers.Add(connectionId, sessionToken);
                return existing.Relay;
            }

            var entry = new Entry { Scope = services.CreateAsyncScope() };
            entry.Watchers.Add(connectionId, sessionToken);
            relay = new JobRelay(
                jobId,
                entry.Scope.ServiceProvider.GetRequiredService<JobService.JobServiceClient>(),
                hub,
                options.Value,
                logger,
                OnRelayEnded,
                () => LatestSessionToken(entry));
            entry.Relay = relay;
            _entries[jobId] = entry;
            _startedRelays++;
        }

        WebLog.RelayStarted(logger, jobId);
        relay.Start();
        return relay;
    }

    public async Task DetachAsync(string jobId, string connectionId)
    {
        Entry? stopped = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(jobId, out var entry) && entry.Watchers.Remove(connectionId)
                && entry.Watchers.Count == 0 && entry.Relay.HasEnded)
            {
                _entries.Remove(jobId);
                stopped = entry;
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
            jobIds = _entries.Where(pair => pair.Value.Watchers.ContainsKey(connectionId)).Select(pair => pair.Key).ToList();

        foreach (string jobId in jobIds)
            await DetachAsync(jobId, connectionId);
    }

    private void OnRelayEnded(JobRelay relay)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(relay.JobId, out entry) || entry.Relay != relay || entry.Watchers.Count > 0)
                return;
            _entries.Remove(relay.JobId);
        }

        // Called from the relay's own loop, so it is disposed after that loop returns.
        _ = Task.Run(() => StopAsync(entry));
    }

    private string? LatestSessionToken(Entry entry)
    {
        lock (_lock)
            return entry.Watchers.Count == 0 ? entry.LastSessionToken : entry.LastSessionToken = entry.Watchers.Values.Last();
    }

    private async Task StopAsync(Entry entry)
    {
        await entry.Relay.DisposeAsync();
        await entry.Scope.DisposeAsync();
        WebLog.RelayStopped(logger, entry.Relay.JobId);
    }

    public async ValueTask DisposeAsync()
    {
        List<Entry> entries;
        lock (_lock)
        {
            entries = _entries.Values.ToList();
            _entries.Clear();
        }

        foreach (var entry in entries)
        {
            await entry.Relay.DisposeAsync();
            await entry.Scope.DisposeAsync();
        }
    }

    /// <summary>A job's relay, the scope its gRPC client lives in, and its watchers with their session tokens.</summary>
    private sealed class Entry
    {
        public JobRelay Relay { get; set; } = null!;

        public required AsyncServiceScope Scope { get; init; }

        /// <summary>Session token by hub connection id, in the order the connections attached.</summary>
        public OrderedDictionary<string, string> Watchers { get; } = [];

        /// <summary>Token of the last watcher, kept so that a relay nobody watches can still resume its stream.</summary>
        public string? LastSessionToken { get; set; }
    }
}
