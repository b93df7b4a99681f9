using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Jobs;
using UnlearnDashboard.Web.Jobs.Authentication;
using UnlearnDashboard.Web.Tests.Fakes;

namespace UnlearnDashboard.Web.Tests.Jobs;

/// <summary>The dashboard's jobs hub and relays on a real Kestrel server on a free loopback port, reading a fake JobService.</summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<IAsyncDisposable> _owned = [];

    private HubHost(WebApplication app, FakeJobServiceClient jobs)
    {
        _app = app;
        Jobs = jobs;
    }

    public FakeJobServiceClient Jobs { get; }

    public JobRelayRegistry Relays => _app.Services.GetRequiredService<JobRelayRegistry>();

    public CircuitTokenService Tokens => _app.Services.GetRequiredService<CircuitTokenService>();

    public Microsoft.AspNetCore.DataProtection.IDataProtectionProvider DataProtection =>
        _app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>();

    public Uri HubUrl => _app.Services.GetRequiredService<HubUrlResolver>().Resolve();

    public static async Task<HubHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JobStreams:RetryDelaySeconds"] = "0.01",
        });
        builder.Services.AddJobStreams(builder.Configuration);
        builder.Services.AddScoped<UserSession>();
        var jobs = new FakeJobServiceClient();
        builder.Services.AddSingleton<JobService.JobServiceClient>(jobs);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapJobStreams();
        await app.StartAsync();
        return new HubHost(app, jobs);
    }

    /// <summary>Subscribes the way a circuit of <paramref name="sessionToken"/>'s viewer does, and records what it delivers.</summary>
    public async Task<Watcher> WatchAsync(string jobId, long afterSequence = 0, string sessionToken = "viewer-token")
    {
        var scope = _app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserSession>().User = TestUsers.SignedIn("viewer", Role.Viewer, sessionToken);
        var source = scope.ServiceProvider.GetRequiredService<IJobEventSource>();
        var watcher = new Watcher();
        watcher.Subscription = await source.SubscribeAsync(jobId, afterSequence, watcher.OnEventAsync, watcher.OnFailureAsync, CancellationToken.None);

        // Open hub connections would hold up the server's shutdown, so each one is closed first.
        _owned.Add(watcher.Subscription);
        _owned.Add(scope);
        return watcher;
    }

    public HubConnection Connect(string? token) =>
        new HubConnectionBuilder()
            .WithUrl(HubUrl, options => options.AccessTokenProvider = () => Task.FromResult(token))
            .Build();

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
            await owned.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Events and failures delivered to one subscriber.</summary>
    public sealed class Watcher
    {
        private readonly List<JobStreamEvent> _events = [];
        private readonly List<string> _failures = [];

        public IAsyncDisposable? Subscription { get; set; }

        public IReadOnlyList<JobStreamEvent> Events
        {
            get
            {
                lock (_events)
                    return _events.ToList();
            }
        }

        public IReadOnlyList<string> Failures
        {
            get
            {
                lock (_failures)
                    return _failures.ToList();
            }
        }

        public Task OnEventAsync(JobStreamEvent jobEvent)
        {
            lock (_events)
                _events.Add(jobEvent);
            return Task.CompletedTask;
        }

        public Task OnFailureAsync(string message)
        {
            lock (_failures)
                _failures.Add(message);
            return Task.CompletedTask;
        }

        /// <summary>Waits until <paramref name="count"/> events arrived, for at most 10 s.</summary>
        public async Task<IReadOnlyList<JobStreamEvent>> WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Events.Count < count && DateTime.UtcNow < deadline)
                await Task.Delay(10);
            return Events;
        }
    }
}
