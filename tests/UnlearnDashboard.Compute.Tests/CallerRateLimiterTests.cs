using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UnlearnDashboard.Compute.Access;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>The token buckets of <see cref="CallerRateLimiter"/>, on a fake clock.</summary>
public sealed class CallerRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryAcquire_BurstUsed_RejectsWithRetryDelay()
    {
        var limiter = CreateLimiter(permitsPerSecond: 4, burst: 3);

        var allowed = Enumerable.Range(0, 3).Select(_ => limiter.TryAcquire("a")).ToList();
        var rejected = limiter.TryAcquire("a");
        var rejectedAgain = limiter.TryAcquire("a");

        Assert.All(allowed, decision => Assert.True(decision.Allowed));
        Assert.False(rejected.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(0.25), rejected.RetryAfter);
        Assert.True(rejected.FirstRejection);
        Assert.False(rejectedAgain.FirstRejection);
    }

    [Fact]
    public void TryAcquire_AfterRetryDelay_AllowsAgain()
    {
        var limiter = CreateLimiter(permitsPerSecond: 4, burst: 1);
        limiter.TryAcquire("a");
        var rejected = limiter.TryAcquire("a");

        _time.Advance(rejected.RetryAfter);
        var allowed = limiter.TryAcquire("a");

        Assert.False(rejected.Allowed);
        Assert.True(allowed.Allowed);
    }

    [Fact]
    public void TryAcquire_OtherCaller_HasOwnBucket()
    {
        var limiter = CreateLimiter(permitsPerSecond: 1, burst: 1);
        limiter.TryAcquire("a");

        var first = limiter.TryAcquire("a");
        var other = limiter.TryAcquire("b");

        Assert.False(first.Allowed);
        Assert.True(other.Allowed);
    }

    [Fact]
    public void TryAcquire_ManyCallers_TableStaysBounded()
    {
        var limiter = CreateLimiter(permitsPerSecond: 1, burst: 2, maxCallers: 100);

        for (int i = 0; i < 10_000; i++)
            limiter.TryAcquire($"caller-{i}");

        Assert.Equal(100, limiter.Count);
    }

    [Fact]
    public void TryAcquire_TableFull_DropsRefilledBucketsBeforeDrainedOnes()
    {
        var limiter = CreateLimiter(permitsPerSecond: 1, burst: 1, maxCallers: 2);
        limiter.TryAcquire("idle");
        _time.Advance(TimeSpan.FromSeconds(5));
        limiter.TryAcquire("drained");

        limiter.TryAcquire("new");
        var drained = limiter.TryAcquire("drained");

        Assert.Equal(2, limiter.Count);
        Assert.False(drained.Allowed);
    }

    [Fact]
    public void TryAcquire_ZeroPermits_AlwaysAllows()
    {
        var limiter = CreateLimiter(permitsPerSecond: 0, burst: 1);

        var decisions = Enumerable.Range(0, 100).Select(_ => limiter.TryAcquire("a")).ToList();

        Assert.All(decisions, decision => Assert.True(decision.Allowed));
        Assert.Equal(0, limiter.Count);
    }

    private CallerRateLimiter CreateLimiter(double permitsPerSecond, int burst, int maxCallers = 10_000)
    {
        var options = new AccessOptions { RateLimit = new RateLimitOptions { PermitsPerSecond = permitsPerSecond, Burst = burst, MaxCallers = maxCallers } };
        return new CallerRateLimiter(Options.Create(options), _time);
    }
}
