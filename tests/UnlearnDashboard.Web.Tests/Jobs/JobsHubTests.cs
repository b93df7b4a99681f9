using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.SignalR.Client;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Jobs;
using UnlearnDashboard.Web.Jobs.Authentication;

namespace UnlearnDashboard.Web.Tests.Jobs;

public sealed class JobsHubTests : IAsyncLifetime
{
    private const string JobId = "job-1";
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Hub_RejectsConnectionWithoutToken()
    {
        await using var connection = _host.Connect(null);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Hub_RejectsForgedToken()
    {
        await using var connection = _host.Connect("not-a-protected-token");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Hub_AcceptsIssuedToken()
    {
        await using var connection = _host.Connect(_host.Tokens.Issue(TestUsers.SignedIn("ann", Role.Viewer)));

        await connection.StartAsync();

        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public void Tokens_RefuseUserWithoutSession()
    {
        var anonymous = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());

        Assert.Throws<InvalidOperationException>(() => _host.Tokens.Issue(anonymous));
    }

    [Fact]
    public async Task Hub_RejectsExpiredToken()
    {
        // Issued as if one second more than its lifetime ago, so it expired a second ago.
        var issuedAt = new FixedTime(DateTimeOffset.UtcNow - CircuitTokenService.Lifetime - TimeSpan.FromSeconds(1));
        string token = new CircuitTokenService(_host.DataProtection, issuedAt).Issue(TestUsers.SignedIn("ann", Role.Viewer));
        await using var connection = _host.Connect(token);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Relay_WatchesWithSubscriberSessionToken()
    {
        var watcher = await _host.WatchAsync(JobId, sessionToken: "ann-token");
        AppendProgress(1);
        await watcher.WaitForAsync(1);

        Assert.Equal(["Bearer ann-token"], _host.Jobs.WatchAuthorizations);
    }

    [Fact]
    public async Task Hub_RefusesSubscriberComputeDenies()
    {
        var first = await _host.WatchAsync(JobId, sessionToken: "ann-token");
        _host.Jobs.Deny("bob-token");

        var denied = await _host.WatchAsync(JobId, sessionToken: "bob-token");
        AppendProgress(1);
        await first.WaitForAsync(1);

        var failure = Assert.Single(denied.Failures);
        Assert.Contains("GetJob needs one of the roles viewer, engineer, compliance.", failure);
        Assert.Empty(denied.Events);
    }

    [Fact]
    public async Task Hub_SharesOneRelayBetweenWatchers()
    {
        var first = await _host.WatchAsync(JobId);
        var second = await _host.WatchAsync(JobId);

        AppendProgress(3);
        AppendResult(undefinedRatio: false);
        var firstEvents = await first.WaitForAsync(4);
        var secondEvents = await second.WaitForAsync(4);

        Assert.Equal([1L, 2L, 3L, 4L], firstEvents.Select(e => e.Sequence));
        Assert.Equal([1L, 2L, 3L, 4L], secondEvents.Select(e => e.Sequence));
        Assert.Equal(1, _host.Relays.StartedRelayCount);
        Assert.Equal([0L], _host.Jobs.WatchRequests);
    }

    [Fact]
    public async Task Relay_ResumesDroppedStreamWithoutGap()
    {
        _host.Jobs.DropNextCallAfter(2);
        var watcher = await _host.WatchAsync(JobId);

        AppendProgress(4);
        AppendResult(undefinedRatio: false);
        var events = await watcher.WaitForAsync(5);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], events.Select(e => e.Sequence));
        Assert.Equal([0L, 2L], _host.Jobs.WatchRequests);
        Assert.Empty(watcher.Failures);
    }

    [Fact]
    public async Task Hub_SendsLateWatcherEarlierEvents()
    {
        var first = await _host.WatchAsync(JobId);
        AppendProgress(3);
        await first.WaitForAsync(3);

        var late = await _host.WatchAsync(JobId, afterSequence: 1);
        AppendResult(undefinedRatio: false);
        var events = await late.WaitForAsync(3);

        Assert.Equal([2L, 3L, 4L], events.Select(e => e.Sequence));
        Assert.Equal([0L], _host.Jobs.WatchRequests);
    }

    [Fact]
    public async Task Hub_DeliversUndefinedRatio()
    {
        var watcher = await _host.WatchAsync(JobId);

        AppendResult(undefinedRatio: true);
        var events = await watcher.WaitForAsync(1);

        var after = Assert.Single(events).Result!.After!;
        Assert.Null(after.DisparateImpactRatio);
        Assert.Equal(0, after.DemographicParityDifference);
        Assert.Equal("privileged group has no positive predictions", after.ReasonFor("disparate_impact_ratio"));
        Assert.Empty(watcher.Failures);
    }

    [Fact]
    public async Task Hub_DeliversEvidence()
    {
        var watcher = await _host.WatchAsync(JobId);

        _host.Jobs.Append(new JobEvent
        {
            JobId = JobId,
            Time = Timestamp.FromDateTime(DateTime.UtcNow),
            Result = new JobResult { Debias = TestData.DebiasResultWithEvidence() },
        });
        var events = await watcher.WaitForAsync(1);

        var evidence = Assert.Single(events).Result!.Evidence!;
        var expected = TestData.DebiasResultWithEvidence().ToEvidenceSummary()!;
        Assert.Equal(expected.Retrain, evidence.Retrain);
        Assert.Equal(expected.RandomControlMean, evidence.RandomControlMean);
        Assert.Equal(expected.UpdatedToRetrained, evidence.UpdatedToRetrained);
        Assert.Equal(expected.SeedBand, evidence.SeedBand);
        Assert.Equal(expected.LevellingDown!.Rates, evidence.LevellingDown!.Rates);
        Assert.Equal(expected.Membership!.Models, evidence.Membership!.Models);
        Assert.Equal(1342, evidence.Membership.NonMemberCount);
        Assert.Empty(watcher.Failures);
    }

    [Fact]
    public async Task Registry_StopsEndedRelayWithoutWatchers()
    {
        var watcher = await _host.WatchAsync(JobId);
        AppendProgress(2);
        AppendResult(undefinedRatio: false);
        await watcher.WaitForAsync(3);

        await watcher.Subscription!.DisposeAsync();
        bool stopped = await WaitUntilAsync(() => _host.Relays.ActiveRelayCount == 0);
        var again = await _host.WatchAsync(JobId);
        var events = await again.WaitForAsync(3);

        Assert.True(stopped);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(2, _host.Relays.StartedRelayCount);
        Assert.Equal([0L, 0L], _host.Jobs.WatchRequests);
    }

    [Fact]
    public async Task Relay_KeepsRunningJobWithoutWatchers()
    {
        var watcher = await _host.WatchAsync(JobId);
        AppendProgress(1);
        await watcher.WaitForAsync(1);

        await watcher.Subscription!.DisposeAsync();
        await Task.Delay(200);

        Assert.Equal(1, _host.Relays.ActiveRelayCount);
    }

    private void AppendProgress(int count)
    {
        for (int step = 1; step <= count; step++)
        {
            _host.Jobs.Append(new JobEvent
            {
                JobId = JobId,
                Time = Timestamp.FromDateTime(DateTime.UtcNow),
                Progress = new JobProgress { Phase = "ranking", Fraction = step / 10.0, Message = $"step {step}", Metrics = new LiveMetrics { Step = step, BiasObjective = 0.2 } },
            });
        }
    }

    private void AppendResult(bool undefinedRatio)
    {
        var after = undefinedRatio ? TestData.ApprovesNobodyReport() : TestData.BiasedReport();
        _host.Jobs.Append(new JobEvent
        {
            JobId = JobId,
            Time = Timestamp.FromDateTime(DateTime.UtcNow),
            Result = new JobResult { Debias = new DebiasResult { Before = TestData.BiasedReport(), After = after, RemovedSampleCount = 3, RemovedRowIds = { 5, 9, 12 } } },
        });
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        return condition();
    }
}
