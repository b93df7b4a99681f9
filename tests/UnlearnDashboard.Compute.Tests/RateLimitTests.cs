using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A server whose rate limit gives each caller bursts of 5 calls and 2 more a second.</summary>
public class RateLimitFixture : ComputeServerFixture
{
    public const int Burst = 5;

    public const double PermitsPerSecond = 2;

    protected override string[] ExtraArgs =>
        ["--Access:RateLimit:PermitsPerSecond", PermitsPerSecond.ToString("G"), "--Access:RateLimit:Burst", Burst.ToString()];
}

public sealed class PostgresRateLimitFixture : RateLimitFixture
{
    public override bool UsesPostgres => true;
}

/// <summary>
/// The per-caller rate limit on a real server. Each test drains the bucket of a different caller, because the
/// buckets outlive a test.
/// </summary>
public abstract class RateLimitTests(RateLimitFixture server)
{
    /// <summary>More calls than a bucket can allow in the time they take, so that one of them is rejected.</summary>
    private const int MaxAttempts = 40;

    [Fact]
    public async Task Key_OverLimit_IsResourceExhaustedWhileOtherKeyWorks()
    {
        var viewer = Access("viewer");
        var compliance = Access("compliance");

        var (allowed, error) = await CallUntilRejectedAsync(() => viewer.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var other = await compliance.WhoAmIAsync(new WhoAmIRequest());

        Assert.InRange(allowed, RateLimitFixture.Burst, MaxAttempts - 1);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Access:RateLimit allows 2 calls a second per caller, with bursts of 5", error.Status.Detail);
        Assert.Contains("API key uk_", error.Status.Detail);
        Assert.Contains("Retry after", error.Status.Detail);
        Assert.Equal("compliance", other.UserName);
    }

    [Fact]
    public async Task Key_AfterRetryDelay_WorksAgain()
    {
        var admin = Access("admin");
        var (_, error) = await CallUntilRejectedAsync(() => admin.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var retryDelay = error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan();

        Assert.NotNull(retryDelay);
        Assert.InRange(retryDelay.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1 / RateLimitFixture.PermitsPerSecond));
        await Task.Delay(retryDelay.Value + TimeSpan.FromMilliseconds(50));
        var identity = await admin.WhoAmIAsync(new WhoAmIRequest());

        Assert.Equal("admin", identity.UserName);
    }

    [Fact]
    public async Task InvalidSecrets_LimitedByAddress_ValidKeyUnaffected()
    {
        using var channel = ComputeCredentials.CreateChannel(server.Url, "uk_000000000000_not-a-real-secret");
        var stranger = new AccessService.AccessServiceClient(channel);
        var health = new Health.HealthClient(server.ChannelAs(null));

        var (allowed, error) = await CallUntilRejectedAsync(async () =>
        {
            var unauthenticated = await RpcAssert.FailsAsync(() => stranger.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
            if (unauthenticated.StatusCode != StatusCode.Unauthenticated)
                throw unauthenticated;
        });
        var anonymous = await RpcAssert.FailsAsync(() => health.CheckAsync(new HealthCheckRequest()).ResponseAsync);
        var engineer = await Access("engineer").WhoAmIAsync(new WhoAmIRequest());

        Assert.InRange(allowed, RateLimitFixture.Burst, MaxAttempts - 1);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("calls without a valid credential from 127.0.0.1", error.Status.Detail);
        Assert.Equal(StatusCode.ResourceExhausted, anonymous.StatusCode);
        Assert.Equal("engineer", engineer.UserName);
    }

    [Fact]
    public async Task WatchJob_ManyEvents_CountsOnce()
    {
        // The engineer's bucket takes this test's 4 calls and the one WhoAmI of another test, within the burst of 5.
        var channel = server.ChannelAs("engineer");
        var jobs = new JobService.JobServiceClient(channel);
        await new DatasetService.DatasetServiceClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-rate-limit"),
            TrainPath = "german-credit.csv",
        });
        var job = await jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-rate-limit", Settings = new ModelSettings { Epochs = 20 } });

        var events = await JobWatcher.CollectAsync(jobs, job.Id);

        Assert.True(events.Count > 2 * RateLimitFixture.Burst, $"{events.Count} events; the test needs more than twice the burst");
        Assert.NotNull(events[^1].Result);
    }

    private AccessService.AccessServiceClient Access(string role) => new(server.ChannelAs(role));

    /// <summary>Makes calls until one fails, and returns how many succeeded before it and its error.</summary>
    private static async Task<(int Allowed, RpcException Error)> CallUntilRejectedAsync(Func<Task> call)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                await call();
            }
            catch (RpcException error)
            {
                return (attempt, error);
            }
        }

        throw new Xunit.Sdk.XunitException($"{MaxAttempts} calls in a row were allowed; the rate limit did not apply.");
    }
}

public sealed class RateLimitSqliteTests(RateLimitFixture server) : RateLimitTests(server), IClassFixture<RateLimitFixture>;

public sealed class RateLimitPostgresTests(PostgresRateLimitFixture server) : RateLimitTests(server), IClassFixture<PostgresRateLimitFixture>;
