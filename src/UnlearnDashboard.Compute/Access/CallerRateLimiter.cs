using Microsoft.Extensions.Options;

namespace UnlearnDashboard.Compute.Access;

/// <summary>The outcome of <see cref="CallerRateLimiter.TryAcquire"/>.</summary>
/// <param name="Allowed">True when the caller's bucket had a token for this call.</param>
/// <param name="RetryAfter">When rejected, the time until the bucket contains one token again; zero when allowed.</param>
/// <param name="FirstRejection">True on the first rejection after an allowed call, so that a throttled caller is logged once.</param>
internal readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter, bool FirstRejection);

/// <summary>
/// Keeps one token bucket per caller key (see <see cref="RateLimitOptions"/>). A bucket starts full with
/// <c>Burst</c> tokens and refills continuously at <c>PermitsPerSecond</c>. The table keeps at most
/// <c>MaxCallers</c> buckets, so callers that come and go cannot grow memory without bound.
/// </summary>
internal sealed class CallerRateLimiter(IOptions<AccessOptions> options, TimeProvider time)
{
    private readonly RateLimitOptions _options = options.Value.RateLimit;
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Number of buckets held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _buckets.Count;
        }
    }

    /// <summary>Takes one token from the bucket of <paramref name="callerKey"/>, creating a full bucket for a new caller.</summary>
    public RateLimitDecision TryAcquire(string callerKey)
    {
        if (!_options.Enabled)
            return new RateLimitDecision(true, TimeSpan.Zero, false);

        long now = time.GetTimestamp();
        lock (_lock)
        {
            if (!_buckets.TryGetValue(callerKey, out var bucket))
            {
                if (_buckets.Count >= _options.MaxCallers)
                    MakeRoom(now);
                bucket = new Bucket { Tokens = _options.Burst, UpdatedAt = now };
                _buckets[callerKey] = bucket;
            }

            bucket.Tokens = TokensAt(bucket, now);
            bucket.UpdatedAt = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                bucket.Rejected = false;
                return new RateLimitDecision(true, TimeSpan.Zero, false);
            }

            bool first = !bucket.Rejected;
            bucket.Rejected = true;
            return new RateLimitDecision(false, TimeSpan.FromSeconds((1 - bucket.Tokens) / _options.PermitsPerSecond), first);
        }
    }

    private double TokensAt(Bucket bucket, long now) =>
        Math.Min(_options.Burst, bucket.Tokens + time.GetElapsedTime(bucket.UpdatedAt, now).TotalSeconds * _options.PermitsPerSecond);

    /// <summary>
    /// Drops every bucket that has refilled completely, because a new bucket would be the same. When all are
    /// still refilling, drops the least recently used one.
    /// </summary>
    private void MakeRoom(long now)
    {
        string? oldestKey = null;
        long oldestUse = long.MaxValue;
        var full = new List<string>();
        foreach (var (key, bucket) in _buckets)
        {
            if (TokensAt(bucket, now) >= _options.Burst)
                full.Add(key);
            else if (bucket.UpdatedAt < oldestUse)
                (oldestKey, oldestUse) = (key, bucket.UpdatedAt);
        }

        foreach (string key in full)
            _buckets.Remove(key);

        // NOTE: the dropped caller gets a full bucket on its next call, so with more than MaxCallers callers
        // active at once some of them can exceed their limit.
        if (full.Count == 0 && oldestKey is not null)
            _buckets.Remove(oldestKey);
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long UpdatedAt;
        public bool Rejected;
    }
}
