using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UnlearnDashboard.Compute.Access;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>The failed sign-in counts and lockouts of <see cref="SignInLockout"/>, on a fake clock.</summary>
public sealed class SignInLockoutTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void BeginAttempt_MaxFailures_LocksName()
    {
        var lockout = CreateLockout(maxFailures: 3, windowSeconds: 60, lockoutSeconds: 300);

        var attempts = Enumerable.Range(0, 3).Select(_ => lockout.BeginAttempt("mia")).ToList();
        var rejected = lockout.BeginAttempt("mia");

        Assert.All(attempts, attempt => Assert.False(attempt.Rejected));
        Assert.Null(attempts[1].LocksUntil);
        Assert.Equal(_time.GetUtcNow().AddSeconds(300), attempts[2].LocksUntil);
        Assert.True(rejected.Rejected);
        Assert.Equal(_time.GetUtcNow().AddSeconds(300), rejected.LockedUntil);
    }

    [Fact]
    public void BeginAttempt_AfterLockout_AllowsAgain()
    {
        var lockout = CreateLockout(maxFailures: 2, windowSeconds: 60, lockoutSeconds: 300);
        lockout.BeginAttempt("mia");
        lockout.BeginAttempt("mia");

        _time.Advance(TimeSpan.FromSeconds(299));
        var stillLocked = lockout.BeginAttempt("mia");
        _time.Advance(TimeSpan.FromSeconds(1));
        var allowed = lockout.BeginAttempt("mia");

        Assert.True(stillLocked.Rejected);
        Assert.False(allowed.Rejected);
        Assert.Null(allowed.LocksUntil);
    }

    [Fact]
    public void BeginAttempt_Rejections_FirstOfEachLockoutMarked()
    {
        var lockout = CreateLockout(maxFailures: 1, windowSeconds: 60, lockoutSeconds: 10);
        lockout.BeginAttempt("mia");

        var first = lockout.BeginAttempt("mia");
        var second = lockout.BeginAttempt("mia");
        _time.Advance(TimeSpan.FromSeconds(10));
        lockout.BeginAttempt("mia");
        var nextLockout = lockout.BeginAttempt("mia");

        Assert.True(first.FirstRejection);
        Assert.True(second.Rejected);
        Assert.False(second.FirstRejection);
        Assert.True(nextLockout.Rejected);
        Assert.True(nextLockout.FirstRejection);
    }

    [Fact]
    public void BeginAttempt_FailuresOutsideWindow_DoNotLock()
    {
        var lockout = CreateLockout(maxFailures: 3, windowSeconds: 60, lockoutSeconds: 300);

        var attempts = new List<SignInAttempt>();
        for (int i = 0; i < 6; i++)
        {
            attempts.Add(lockout.BeginAttempt("mia"));
            _time.Advance(TimeSpan.FromSeconds(31));
        }

        Assert.All(attempts, attempt => Assert.False(attempt.Rejected));
        Assert.All(attempts, attempt => Assert.Null(attempt.LocksUntil));
    }

    [Fact]
    public void BeginAttempt_NameInOtherCase_SharesCount()
    {
        var lockout = CreateLockout(maxFailures: 2, windowSeconds: 60, lockoutSeconds: 300);
        lockout.BeginAttempt("Mia");
        lockout.BeginAttempt("mia");

        var rejected = lockout.BeginAttempt("MIA");
        var other = lockout.BeginAttempt("noah");

        Assert.True(rejected.Rejected);
        Assert.False(other.Rejected);
    }

    [Fact]
    public void RecordSuccess_ForgetsFailures()
    {
        var lockout = CreateLockout(maxFailures: 2, windowSeconds: 60, lockoutSeconds: 300);
        lockout.BeginAttempt("mia");
        lockout.RecordSuccess("mia");

        var next = lockout.BeginAttempt("mia");
        var after = lockout.BeginAttempt("mia");

        Assert.Null(next.LocksUntil);
        Assert.NotNull(after.LocksUntil);
    }

    [Fact]
    public void BeginAttempt_MaxFailuresZero_NeverLocks()
    {
        var lockout = CreateLockout(maxFailures: 0, windowSeconds: 60, lockoutSeconds: 300);

        var attempts = Enumerable.Range(0, 50).Select(_ => lockout.BeginAttempt("mia")).ToList();

        Assert.All(attempts, attempt => Assert.False(attempt.Rejected));
        Assert.Equal(0, lockout.Count);
    }

    [Fact]
    public void BeginAttempt_ManyNames_TableStaysBounded()
    {
        var lockout = CreateLockout(maxFailures: 2, windowSeconds: 60, lockoutSeconds: 300, maxUserNames: 100);
        lockout.BeginAttempt("locked");
        lockout.BeginAttempt("locked");
        _time.Advance(TimeSpan.FromSeconds(61));

        for (int i = 0; i < 10_000; i++)
            lockout.BeginAttempt($"name-{i}");

        Assert.InRange(lockout.Count, 1, 100);
        Assert.True(lockout.BeginAttempt("locked").Rejected);
    }

    private SignInLockout CreateLockout(int maxFailures, int windowSeconds, int lockoutSeconds, int maxUserNames = 10_000)
    {
        var options = new AccessOptions
        {
            SignInLockout = new SignInLockoutOptions
            {
                MaxFailures = maxFailures,
                WindowSeconds = windowSeconds,
                LockoutSeconds = lockoutSeconds,
                MaxUserNames = maxUserNames,
            },
        };
        return new SignInLockout(Options.Create(options), _time);
    }
}
