using Microsoft.Extensions.Options;

namespace UnlearnDashboard.Compute.Access;

/// <summary>The outcome of <see cref="SignInLockout.BeginAttempt"/>.</summary>
/// <param name="LockedUntil">When the user name is locked, the time its lockout ends, and the attempt must be rejected; otherwise null.</param>
/// <param name="LocksUntil">When this attempt is the one that reached the limit, the end of the lockout it started; otherwise null.</param>
/// <param name="FirstRejection">True for the first rejected attempt of a lockout, so that the rejections of one lockout are recorded once.</param>
public readonly record struct SignInAttempt(DateTimeOffset? LockedUntil, DateTimeOffset? LocksUntil, bool FirstRejection = false)
{
    public bool Rejected => LockedUntil is not null;
}

/// <summary>
/// Counts sign-in attempts per user name, ignoring letter case, and locks a name for <c>LockoutSeconds</c> once it
/// has <c>MaxFailures</c> failures within <c>WindowSeconds</c> (see <see cref="SignInLockoutOptions"/>). The window
/// starts at a name's first failure. The table keeps at most <c>MaxUserNames</c> names, so callers that try many
/// names cannot grow memory without bound.
/// </summary>
/// <remarks>
/// An attempt counts as a failure from its start until <see cref="RecordSuccess"/>, so that attempts sent at the
/// same time cannot all hash their passwords before the first of them fails.
/// </remarks>
public sealed class SignInLockout(IOptions<AccessOptions> options, TimeProvider time)
{
    private readonly SignInLockoutOptions _options = options.Value.SignInLockout;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>Number of user names held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _entries.Count;
        }
    }

    /// <summary>
    /// Rejects an attempt on a locked user name, or else counts it as a failure, locking the name when the attempt
    /// reaches <c>MaxFailures</c>. The attempt that reaches the limit itself goes on.
    /// </summary>
    public SignInAttempt BeginAttempt(string userName)
    {
        if (!_options.Enabled)
            return default;

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(userName, out var entry))
            {
                if (_entries.Count >= _options.MaxUserNames)
                    MakeRoom(now);
                entry = new Entry();
                _entries[userName] = entry;
            }

            if (entry.LockedUntil > now)
            {
                bool first = !entry.RejectionRecorded;
                entry.RejectionRecorded = true;
                return new SignInAttempt(entry.LockedUntil, null, first);
            }

            if (entry.Failures == 0 || now - entry.WindowStart >= _options.Window)
            {
                entry.Failures = 0;
                entry.WindowStart = now;
            }

            entry.Failures++;
            if (entry.Failures < _options.MaxFailures)
                return default;

            entry.Failures = 0;
            entry.LockedUntil = now + _options.Lockout;
            entry.RejectionRecorded = false;
            return new SignInAttempt(null, entry.LockedUntil);
        }
    }

    /// <summary>Forgets the failures, and any lockout, of <paramref name="userName"/> after a successful sign-in.</summary>
    public void RecordSuccess(string userName)
    {
        if (!_options.Enabled)
            return;

        lock (_lock)
            _entries.Remove(userName);
    }

    /// <summary>
    /// Drops every name that is neither locked nor within a window of failures, because a new entry would be the
    /// same. When there is none, drops the name whose lockout or window ends soonest.
    /// </summary>
    private void MakeRoom(DateTimeOffset now)
    {
        var idle = new List<string>();
        string? soonestKey = null;
        var soonest = DateTimeOffset.MaxValue;
        foreach (var (key, entry) in _entries)
        {
            bool locked = entry.LockedUntil > now;
            bool counting = entry.Failures > 0 && now - entry.WindowStart < _options.Window;
            if (!locked && !counting)
            {
                idle.Add(key);
                continue;
            }

            var ends = locked ? entry.LockedUntil : entry.WindowStart + _options.Window;
            if (ends < soonest)
                (soonestKey, soonest) = (key, ends);
        }

        foreach (string key in idle)
            _entries.Remove(key);

        // NOTE: with more than MaxUserNames names failing at once, the dropped name loses its count or its lockout.
        if (idle.Count == 0 && soonestKey is not null)
            _entries.Remove(soonestKey);
    }

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset WindowStart;
        public DateTimeOffset LockedUntil;
        public bool RejectionRecorded;
    }
}
