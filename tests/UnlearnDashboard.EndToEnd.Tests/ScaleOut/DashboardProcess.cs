using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace UnlearnDashboard.EndToEnd.Tests.ScaleOut;

/// <summary>A dashboard (UnlearnDashboard.Web) in its own process, using one compute server and the shared Redis.</summary>
public sealed class DashboardProcess : IAsyncDisposable
{
    /// <summary>Connection string of the Redis server for the scale-out tests; <c>.ci/redis</c> prints one.</summary>
    public const string RedisEnvironmentVariable = "UNLEARN_TEST_REDIS";

    // The data protection settings of the dashboards' shared key ring (ScaleOutExtensions in the Web project) and
    // the purpose of their circuit tokens (CircuitTokenService). The test issues a token from the shared key ring
    // as a third dashboard would, so both dashboards accepting it also shows that they share the key ring.
    private const string ApplicationName = "UnlearnDashboard.Web";
    private const string DataProtectionKey = "unlearn-dashboard:data-protection-keys";
    private const string CircuitTokenPurpose = "UnlearnDashboard.Web.JobsHub.CircuitToken.v2";

    private DashboardProcess(ServerProcess process)
    {
        Process = process;
    }

    public ServerProcess Process { get; }

    /// <summary>Returns the Redis connection string, or throws with how to get one.</summary>
    public static string RedisConnectionString()
    {
        string? redis = Environment.GetEnvironmentVariable(RedisEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(redis))
        {
            throw new InvalidOperationException(
                $"{RedisEnvironmentVariable} is not set, so the scale-out topology test cannot run. Run "
                + $"'export {RedisEnvironmentVariable}=$(bash .ci/redis)' in the repository (as root: it installs and starts Redis on "
                + "loopback and prints a connection string), or set it to the host:port of a Redis server.");
        }

        return redis;
    }

    /// <summary>Starts a dashboard on a compute server with the Redis backplane and waits until it serves a page.</summary>
    public static async Task<DashboardProcess> StartAsync(ServerProcess compute, string redis)
    {
        // Development serves the static web assets from the build output, as dotnet run does. The dashboard calls
        // its compute server with each signed-in user's session token, so it needs no key of its own.
        var process = ServerProcess.Start("WebAssembly",
            "--ComputeUrl", compute.Url,
            "--Redis:ConnectionString", redis,
            "--environment", "Development");
        var dashboard = new DashboardProcess(process);
        using var http = new HttpClient { BaseAddress = new Uri(process.Url) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            process.ThrowIfExited();
            try
            {
                // The first page renders an antiforgery token, which puts the data protection key in Redis.
                using var page = await http.GetAsync("/");
                if ((int)page.StatusCode < 500)
                    return dashboard;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The dashboard did not serve its first page within 60 s:\n{process.Log}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Issues a circuit token from the key ring that the dashboards keep in Redis, for a user whose calls to the
    /// compute server carry <paramref name="bearerSecret"/>: a session token or, as here, an API key.
    /// </summary>
    public static string IssueHubToken(string redis, string role, string bearerSecret)
    {
        var services = new ServiceCollection();
        var connection = ConnectionMultiplexer.Connect(redis);
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToStackExchangeRedis(connection, DataProtectionKey);
        using var provider = services.BuildServiceProvider();
        var protector = provider.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector(CircuitTokenPurpose)
            .ToTimeLimitedDataProtector();
        // The payload of CircuitTokenService: the user's name, role and bearer secret, as JSON.
        string payload = JsonSerializer.Serialize(new { Name = role, Role = role, SessionToken = bearerSecret });
        string token = protector.Protect(payload, DateTimeOffset.UtcNow.AddMinutes(5));
        connection.Dispose();
        return token;
    }

    /// <summary>
    /// Subscribes to a job on this dashboard's jobs hub, like a browser's circuit does, and returns the sequences
    /// and phases of its events, in order, up to its final one.
    /// </summary>
    public async Task<List<(long Sequence, string? Phase, bool IsFinal)>> WatchHubAsync(string jobId, string token, TimeSpan timeout)
    {
        var received = new SortedDictionary<long, (string? Phase, bool IsFinal)>();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Add(JsonElement jobEvent)
        {
            long sequence = jobEvent.GetProperty("sequence").GetInt64();
            string? phase = jobEvent.TryGetProperty("phase", out var value) ? value.GetString() : null;
            bool isFinal = jobEvent.GetProperty("isFinal").GetBoolean();
            lock (received)
            {
                received[sequence] = (phase, isFinal);
                if (received.Values.Any(e => e.IsFinal) && received.Keys.First() == 1 && received.Keys.Last() == received.Count)
                    finished.TrySetResult();
            }
        }

        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(new Uri(Process.Url), "/hubs/jobs"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        connection.On<JsonElement>("JobEvent", Add);
        connection.On<string, string>("JobStreamFailed", (_, message) => finished.TrySetException(new InvalidOperationException(message)));
        await connection.StartAsync();
        foreach (var buffered in await connection.InvokeAsync<List<JsonElement>>("Subscribe", jobId, 0L))
            Add(buffered);

        await finished.Task.WaitAsync(timeout);
        lock (received)
            return received.Select(e => (e.Key, e.Value.Phase, e.Value.IsFinal)).ToList();
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
