using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace UnlearnDashboard.Browser.Tests.LiveLatency;

/// <summary>
/// One SignalR client of the dashboard's jobs hub, subscribed to one job as a circuit's HubConnection is. It
/// accepts each sequence once, in order, and counts an event that skips a sequence as a gap.
/// </summary>
public sealed class HubWatcher : IAsyncDisposable
{
    // Settings of the dashboard's key ring (AccessExtensions) and the purpose of its circuit tokens (CircuitTokenService).
    private const string ApplicationName = "UnlearnDashboard.Web";
    private const string CircuitTokenPurpose = "UnlearnDashboard.Web.JobsHub.CircuitToken.v2";

    private readonly Lock _lock = new();
    private readonly HubConnection _connection;
    private readonly string _jobId;
    private readonly List<JsonElement> _early = [];
    private readonly TaskCompletionSource _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _caughtUp;

    private HubWatcher(HubConnection connection, string jobId)
    {
        _connection = connection;
        _jobId = jobId;
    }

    /// <summary>Events accepted, in sequence order, with the Unix time in milliseconds at which each arrived.</summary>
    public List<(long Sequence, DateTimeOffset StoredAt, string? Message, long ReceivedAtMs)> Events { get; } = [];

    /// <summary>Events that arrived with a sequence more than one after the last accepted one.</summary>
    public int Gaps { get; private set; }

    /// <summary>Unix time in milliseconds at which Subscribe returned; later events arrive live.</summary>
    public long SubscribedAtMs { get; private set; }

    public Task Final => _final.Task;

    /// <summary>
    /// Issues a circuit token from the dashboard's key ring in <paramref name="keysDirectory"/> for a user whose calls
    /// to the compute server carry <paramref name="sessionToken"/>, as the dashboard does for a signed-in circuit.
    /// </summary>
    public static string IssueCircuitToken(string keysDirectory, string userName, string role, string sessionToken)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        using var provider = services.BuildServiceProvider();
        var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(CircuitTokenPurpose).ToTimeLimitedDataProtector();
        string payload = JsonSerializer.Serialize(new { Name = userName, Role = role, SessionToken = sessionToken });
        return protector.Protect(payload, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    public static async Task<HubWatcher> StartAsync(string webUrl, string circuitToken, string jobId, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(new Uri(webUrl), "/hubs/jobs"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(circuitToken))
            .Build();
        var watcher = new HubWatcher(connection, jobId);
        connection.On<JsonElement>("JobEvent", watcher.OnPushed);
        await connection.StartAsync(cancellationToken);
        var catchUp = await connection.InvokeAsync<List<JsonElement>>("Subscribe", jobId, 0L, cancellationToken);
        watcher.OnCaughtUp(catchUp);
        return watcher;
    }

    private void OnPushed(JsonElement jobEvent)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (jobEvent.GetProperty("jobId").GetString() != _jobId)
            return;

        lock (_lock)
        {
            if (_caughtUp)
                Accept(jobEvent, now);
            else
                _early.Add(jobEvent.Clone());
        }
    }

    /// <summary>Accepts the events Subscribe returned, then those pushed while it ran, which may repeat them.</summary>
    private void OnCaughtUp(List<JsonElement> catchUp)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        lock (_lock)
        {
            SubscribedAtMs = now;
            foreach (var jobEvent in catchUp.Concat(_early).OrderBy(e => e.GetProperty("sequence").GetInt64()))
                Accept(jobEvent, now);
            _early.Clear();
            _caughtUp = true;
        }
    }

    private void Accept(JsonElement jobEvent, long receivedAtMs)
    {
        long sequence = jobEvent.GetProperty("sequence").GetInt64();
        long last = Events.Count == 0 ? 0 : Events[^1].Sequence;
        if (sequence <= last)
            return;
        if (sequence != last + 1)
            Gaps++;

        string? message = jobEvent.TryGetProperty("message", out var text) ? text.GetString() : null;
        Events.Add((sequence, jobEvent.GetProperty("time").GetDateTimeOffset(), message, receivedAtMs));
        if (jobEvent.GetProperty("isFinal").GetBoolean())
            _final.TrySetResult();
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
