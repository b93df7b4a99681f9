using System.ComponentModel.DataAnnotations;

namespace UnlearnDashboard.Compute.Access;

/// <summary>Settings of authentication, bound from the <c>Access</c> section.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>How long a SignIn session token stays valid, in hours. Default 8.</summary>
    [Range(0.01, 720)]
    public double SessionHours { get; set; } = 8;

    /// <summary>
    /// Creates one user and API key per role on a start with no users, and writes their keys to
    /// <c>DataDirectory/credentials.json</c>. Default true.
    /// </summary>
    public bool Bootstrap { get; set; } = true;

    /// <summary>The per-caller rate limit, from <c>Access:RateLimit</c>.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>The lockout of a user name after failed sign-ins, from <c>Access:SignInLockout</c>.</summary>
    public SignInLockoutOptions SignInLockout { get; set; } = new();

    public TimeSpan SessionLifetime => TimeSpan.FromHours(SessionHours);
}

/// <summary>
/// A token bucket per caller: each API key, each session token, and each peer IP address for calls without a
/// valid credential. A call takes one token, and a stream takes one when it opens, however long it stays open.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = AccessOptions.SectionName + ":RateLimit";

    /// <summary>Smallest rate other than 0: one call every 100 s. Far slower rates made the retry delay overflow a TimeSpan.</summary>
    public const double MinPermitsPerSecond = 0.01;

    /// <summary>
    /// Tokens added to each bucket per second; 0 turns rate limiting off. Default 500, above what one
    /// <c>unlearn load</c> run needs: 20 reads a second plus 200 WatchJob streams re-opened on every job end.
    /// </summary>
    [Range(0d, 1_000_000d)]
    public double PermitsPerSecond { get; set; } = 500;

    /// <summary>Capacity of each bucket: the calls a caller may make at once after being idle. Default 1000.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 1000;

    /// <summary>
    /// Most buckets kept in memory. When a new caller would exceed it, full buckets are dropped first, then the
    /// least recently used ones. Default 10,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxCallers { get; set; } = 10_000;

    public bool Enabled => PermitsPerSecond > 0;
}

/// <summary>
/// Settings of the lockout of a user name after failed SignIn calls. It exists because each attempt costs the CPU
/// time of 600,000 PBKDF2-SHA256 iterations, and a locked name is rejected before its password is hashed. Names are compared ignoring
/// letter case, and unknown names are counted like known ones, so a lockout does not reveal which names exist.
/// </summary>
public sealed class SignInLockoutOptions
{
    public const string SectionName = AccessOptions.SectionName + ":SignInLockout";

    /// <summary>Failed sign-ins of one user name within <see cref="WindowSeconds"/> that lock it; 0 turns the lockout off. Default 5.</summary>
    [Range(0, 1000)]
    public int MaxFailures { get; set; } = 5;

    /// <summary>Time in which <see cref="MaxFailures"/> failures lock a user name, in seconds. Default 60.</summary>
    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>How long a locked user name rejects every sign-in, the right password included, in seconds. Default 300.</summary>
    [Range(1, 86_400)]
    public int LockoutSeconds { get; set; } = 300;

    /// <summary>
    /// Maximum number of user names whose failures are kept in memory. When a new name would exceed it, names
    /// without a current count or lockout are dropped first, then the one whose count or lockout ends soonest.
    /// Default 10,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxUserNames { get; set; } = 10_000;

    public bool Enabled => MaxFailures > 0;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);

    public TimeSpan Lockout => TimeSpan.FromSeconds(LockoutSeconds);
}
