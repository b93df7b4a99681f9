using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Access;

/// <summary>
/// Stores users, API keys and session tokens, and authenticates bearer secrets against them. Every change is
/// recorded in the audit trail as done by the acting user.
/// </summary>
public sealed partial class AccessStore(
    IDbContextFactory<ComputeDbContext> dbFactory,
    AuditTrail audit,
    TimeProvider time,
    IOptions<AccessOptions> options,
    SignInLockout lockout,
    ILogger<AccessStore> logger)
{
    /// <summary>How stale <see cref="ApiKeyRow.LastUsedAt"/> may get before a call writes it again, so calls do not each write.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTime> _lastUsedWritten = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns the identity that a bearer secret (API key or session token) belongs to, or null when the secret
    /// is unknown, revoked or expired, or its user is revoked.
    /// </summary>
    public async Task<CallerIdentity?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (secret.StartsWith(Secrets.ApiKeyPrefix, StringComparison.Ordinal) && secret.Length > Secrets.ApiKeyIdLength)
        {
            string id = secret[..Secrets.ApiKeyIdLength];
            var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
            if (key is null || key.RevokedAt is not null || !Secrets.SecretMatches(secret, key.SecretHash))
                return null;

            var keyOwner = await ActiveUserAsync(db, key.UserName, cancellationToken);
            if (keyOwner is null)
                return null;

            await RecordKeyUseAsync(db, key, now, cancellationToken);
            return new CallerIdentity(keyOwner.Name, (Role)keyOwner.Role, key.Id);
        }

        if (secret.StartsWith(Secrets.SessionTokenPrefix, StringComparison.Ordinal))
        {
            byte[] hash = Secrets.HashSecret(secret);
            var token = await db.SessionTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
            if (token is null || token.ExpiresAt <= now || !Secrets.SecretMatches(secret, token.TokenHash))
                return null;

            var tokenOwner = await ActiveUserAsync(db, token.UserName, cancellationToken);
            return tokenOwner is null ? null : new CallerIdentity(tokenOwner.Name, (Role)tokenOwner.Role, null);
        }

        return null;
    }

    /// <summary>
    /// Checks a user name, compared ignoring letter case, and a password, and returns a new session token with its
    /// expiry and identity. Throws UNAUTHENTICATED, with the same message whichever part was wrong, and
    /// RESOURCE_EXHAUSTED while the name is locked after failed sign-ins (see <see cref="SignInLockoutOptions"/>).
    /// Throws PERMISSION_DENIED for a user whose role is retired, and only after the right password, so the error
    /// reveals nothing to a guesser. Each failure writes a login failure audit entry.
    /// </summary>
    public async Task<(string Token, DateTime ExpiresAt, CallerIdentity Identity)> SignInAsync(
        string userName, string password, CancellationToken cancellationToken)
    {
        string trimmed = userName.Trim();
        string name = Truncate(trimmed, 64);
        var attempt = lockout.BeginAttempt(name);
        if (attempt.LockedUntil is { } lockedUntil)
        {
            // Rejections cost no hashing, so a client can send hundreds a second. One entry per lockout records them
            // without letting that client flood the audit trail.
            if (attempt.FirstRejection)
                await AuditLoginFailureAsync(name, "locked");
            throw LockedOut(name, lockedUntil);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = trimmed.Length is 0 or > 64 ? null : await FindUserIgnoringCaseAsync(db.Users.AsNoTracking(), name, cancellationToken);
        bool valid;
        if (user is null)
        {
            Secrets.HashDummyPassword(password);
            valid = false;
        }
        else
        {
            valid = Secrets.PasswordMatches(password, user.PasswordHash, user.PasswordSalt, user.PasswordIterations) && user.RevokedAt is null;
        }

        if (!valid)
        {
            if (attempt.LocksUntil is { } locksUntil)
            {
                var limits = options.Value.SignInLockout;
                logger.SignInLocked(name, locksUntil.ToString("O", CultureInfo.InvariantCulture), limits.MaxFailures, limits.WindowSeconds);
            }

            await AuditLoginFailureAsync(name, reason: null);
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "Sign-in failed: the user name or password is wrong, or the user is revoked. Ask an admin to check your account."));
        }

        // The password was right, so the attempt does not count towards a lockout, whatever follows.
        lockout.RecordSuccess(name);
        var role = (Role)user!.Role;
        if (!RoleNames.All.Contains(role))
        {
            await AuditLoginFailureAsync(name, "retired_role");
            throw RpcErrors.PermissionDenied(
                $"User '{user.Name}' has the retired role {RoleNames.ToName(role)}, which may call no RPC, so the sign-in is rejected. "
                + "Ask an admin to create a user with the role viewer, engineer, compliance or admin ('unlearn users create').");
        }

        string token = Secrets.NewSessionToken();
        var now = time.GetUtcNow().UtcDateTime;
        var row = new SessionTokenRow
        {
            TokenHash = Secrets.HashSecret(token),
            UserName = user.Name,
            CreatedAt = now,
            ExpiresAt = now + options.Value.SessionLifetime,
        };
        db.SessionTokens.Add(row);

        // Expired tokens are of no use, so each sign-in deletes them.
        await db.SessionTokens.Where(t => t.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(user.Name, AuditActions.Login, UserSubject(user.Name),
            new Dictionary<string, object?> { ["expires_at"] = row.ExpiresAt.ToString("O") });
        return (token, row.ExpiresAt, new CallerIdentity(user.Name, role, null));
    }

    /// <summary>
    /// Deletes the session token <paramref name="token"/> of <paramref name="caller"/>, so it stops working at once,
    /// and records the sign-out. A token that is already gone is not an error.
    /// </summary>
    public async Task EndSessionAsync(CallerIdentity caller, string token, CancellationToken cancellationToken)
    {
        byte[] hash = Secrets.HashSecret(token);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        int deleted = await db.SessionTokens.Where(t => t.TokenHash == hash && t.UserName == caller.UserName)
            .ExecuteDeleteAsync(cancellationToken);
        await audit.TryAppendAsync(caller.UserName, AuditActions.Logout, UserSubject(caller.UserName),
            new Dictionary<string, object?> { ["sessions_ended"] = deleted });
    }

    /// <summary>
    /// Creates a user with the given password, or a generated one when it is empty (returned, else null).
    /// Throws INVALID_ARGUMENT for a bad name, role or password and ALREADY_EXISTS for a taken name.
    /// </summary>
    public async Task<(UserRow User, string? GeneratedPassword)> CreateUserAsync(
        string actor, string name, Role role, string password, CancellationToken cancellationToken)
    {
        string userName = ValidateUserName(name, "name");
        ValidateRole(role);
        string? generated = null;
        if (password.Length == 0)
            generated = password = Secrets.NewPassword();
        else if (password.Length < Secrets.MinimumPasswordLength)
            throw RpcErrors.InvalidArgument("password", $"password has {password.Length} characters; use at least {Secrets.MinimumPasswordLength}, or leave it empty to have one generated.");

        var (hash, salt) = Secrets.HashPassword(password);
        var user = NewUser(userName, role, hash, salt, Secrets.PasswordIterations);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await EnsureNameFreeAsync(db, userName, cancellationToken);
        db.Users.Add(user);
        await SaveUniqueAsync(db, $"A user named '{userName}' already exists; choose another name.", cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.UserCreate, UserSubject(userName),
            new Dictionary<string, object?> { ["role"] = RoleNames.ToName(role) });
        return (user, generated);
    }

    /// <summary>Returns every user, revoked ones included, by name.</summary>
    public async Task<IReadOnlyList<UserRow>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().OrderBy(u => u.Name).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Sets a user's password and ends every session of that user; returns the user's name, the generated
    /// password when <paramref name="newPassword"/> is empty, and the number of sessions ended. The caller sets
    /// their own password with the current one, and an admin sets another active user's without it. Throws
    /// INVALID_ARGUMENT for a bad name or a short or missing password, PERMISSION_DENIED for a non-admin naming
    /// another user or a wrong current password (recorded as a failed sign-in), NOT_FOUND for an unknown user and
    /// FAILED_PRECONDITION for a revoked one.
    /// </summary>
    public async Task<(string UserName, string? GeneratedPassword, int SessionsEnded)> SetPasswordAsync(
        CallerIdentity caller, string name, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        string userName = name.Trim().Length == 0 ? caller.UserName : ValidateUserName(name, "user_name");
        bool own = string.Equals(userName, caller.UserName, StringComparison.OrdinalIgnoreCase);
        if (!own && caller.Role != Role.Admin)
        {
            throw RpcErrors.PermissionDenied("user_name",
                $"Only an admin may set another user's password; you are '{caller.UserName}'. Leave user_name empty to set your own.");
        }

        if (own && currentPassword.Length == 0)
            throw RpcErrors.InvalidArgument("current_password", "current_password is missing; give your current password to set a new one.");

        string? generated = null;
        if (newPassword.Length == 0)
            generated = newPassword = Secrets.NewPassword();
        else if (newPassword.Length < Secrets.MinimumPasswordLength)
            throw RpcErrors.InvalidArgument("new_password", $"new_password has {newPassword.Length} characters; use at least {Secrets.MinimumPasswordLength}, or leave it empty to have one generated.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await FindUserIgnoringCaseAsync(db.Users, userName, cancellationToken)
            ?? throw RpcErrors.NotFound($"User '{userName}' not found; 'unlearn users list' lists the users.");
        if (user.RevokedAt is not null)
            throw RpcErrors.FailedPrecondition("user_name", $"User '{user.Name}' is revoked, so it cannot sign in; create a new user instead.");

        // A wrong current password counts towards the same lockout as a failed sign-in, so a stolen session
        // cannot be used to guess the password faster than the sign-in form allows.
        if (own)
        {
            var attempt = lockout.BeginAttempt(user.Name);
            if (attempt.LockedUntil is { } lockedUntil)
                throw LockedOut(user.Name, lockedUntil);

            if (!Secrets.PasswordMatches(currentPassword, user.PasswordHash, user.PasswordSalt, user.PasswordIterations))
            {
                await AuditLoginFailureAsync(user.Name, "set_password");
                throw RpcErrors.PermissionDenied("current_password", "current_password is wrong; the password was not changed.");
            }

            lockout.RecordSuccess(user.Name);
        }

        // One transaction, so that a crash cannot leave the new password with the old sessions still valid.
        var (hash, salt) = Secrets.HashPassword(newPassword);
        user.PasswordHash = hash;
        user.PasswordSalt = salt;
        user.PasswordIterations = Secrets.PasswordIterations;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        int ended = await db.SessionTokens.Where(t => t.UserName == user.Name).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.TryAppendAsync(caller.UserName, AuditActions.PasswordSet, UserSubject(user.Name), new Dictionary<string, object?>
        {
            ["generated"] = generated is not null,
            ["sessions_ended"] = ended,
        });
        return (user.Name, generated, ended);
    }

    /// <summary>
    /// Revokes a user, which ends their keys and sessions at once. Throws NOT_FOUND for an unknown user and
    /// FAILED_PRECONDITION when the actor revokes themselves.
    /// </summary>
    public async Task<UserRow> RevokeUserAsync(string actor, string name, CancellationToken cancellationToken)
    {
        string userName = ValidateUserName(name, "name");
        if (userName == actor)
            throw RpcErrors.FailedPrecondition("name", $"'{userName}' is your own user; another admin must revoke it, so that an admin always remains.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Name == userName, cancellationToken)
            ?? throw RpcErrors.NotFound($"User '{userName}' not found; 'unlearn users list' lists the users.");
        if (user.RevokedAt is not null)
            return user;

        user.RevokedAt = time.GetUtcNow().UtcDateTime;
        await db.SessionTokens.Where(t => t.UserName == userName).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.UserRevoke, UserSubject(userName), new Dictionary<string, object?>());
        return user;
    }

    /// <summary>
    /// Creates an API key for an active user and returns it with its secret, which is stored nowhere. Throws
    /// INVALID_ARGUMENT for a bad description and NOT_FOUND or FAILED_PRECONDITION for a missing or revoked user.
    /// </summary>
    public async Task<(ApiKeyRow Key, string Secret)> CreateApiKeyAsync(
        string actor, string userName, string description, CancellationToken cancellationToken)
    {
        string owner = ValidateUserName(userName, "user_name");
        string text = ValidateDescription(description);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await RequireActiveUserAsync(db, owner, "user_name", cancellationToken);

        var (key, secret) = NewKey(owner, text);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.ApiKeyCreate, ApiKeySubject(key.Id),
            new Dictionary<string, object?> { ["user_name"] = owner });
        return (key, secret);
    }

    /// <summary>Returns API keys, newest first, of one user or all, revoked ones only when asked.</summary>
    public async Task<IReadOnlyList<ApiKeyRow>> ListApiKeysAsync(string userName, bool includeRevoked, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = db.ApiKeys.AsNoTracking();
        if (userName.Length > 0)
            keys = keys.Where(k => k.UserName == userName.Trim());
        if (!includeRevoked)
            keys = keys.Where(k => k.RevokedAt == null);
        var rows = await keys.ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)];
    }

    /// <summary>Revokes an API key; revoking a revoked key changes nothing. Throws NOT_FOUND for an unknown id.</summary>
    public async Task<ApiKeyRow> RevokeApiKeyAsync(string actor, string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await FindKeyAsync(db, id, cancellationToken);
        if (key.RevokedAt is not null)
            return key;

        key.RevokedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.ApiKeyRevoke, ApiKeySubject(key.Id),
            new Dictionary<string, object?> { ["user_name"] = key.UserName });
        return key;
    }

    /// <summary>
    /// Replaces an active API key with a new one for the same user and description and revokes the old one, in one
    /// transaction. Throws NOT_FOUND for an unknown id and FAILED_PRECONDITION for a revoked key or user.
    /// </summary>
    public async Task<(ApiKeyRow Key, string Secret)> RotateApiKeyAsync(string actor, string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var old = await FindKeyAsync(db, id, cancellationToken);
        if (old.RevokedAt is not null)
            throw RpcErrors.FailedPrecondition("id", $"API key {old.Id} is revoked; create a new key with 'unlearn keys create' instead.");
        await RequireActiveUserAsync(db, old.UserName, "id", cancellationToken);

        var (key, secret) = NewKey(old.UserName, old.Description);
        old.RevokedAt = key.CreatedAt;
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await audit.TryAppendAsync(actor, AuditActions.ApiKeyRotate, ApiKeySubject(old.Id),
            new Dictionary<string, object?> { ["new_key_id"] = key.Id, ["user_name"] = key.UserName });
        return (key, secret);
    }

    /// <summary>Returns "user/NAME", the audit subject of a user.</summary>
    public static string UserSubject(string name) => $"user/{name}";

    /// <summary>Returns "api_key/ID", the audit subject of an API key.</summary>
    public static string ApiKeySubject(string id) => $"api_key/{id}";

    /// <summary>Returns a new user row; <see cref="AccessBootstrapper"/> builds its users with it too.</summary>
    internal UserRow NewUser(string name, Role role, byte[] passwordHash, byte[] passwordSalt, int iterations) => new()
    {
        Name = name,
        Role = (int)role,
        PasswordHash = passwordHash,
        PasswordSalt = passwordSalt,
        PasswordIterations = iterations,
        CreatedAt = time.GetUtcNow().UtcDateTime,
    };

    /// <summary>Returns a new key row and its secret; only the secret's hash is in the row.</summary>
    internal (ApiKeyRow Key, string Secret) NewKey(string userName, string description)
    {
        var (id, secret) = Secrets.NewApiKey();
        var key = new ApiKeyRow
        {
            Id = id,
            SecretHash = Secrets.HashSecret(secret),
            UserName = userName,
            Description = description,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        return (key, secret);
    }

    private async Task RecordKeyUseAsync(ComputeDbContext db, ApiKeyRow key, DateTime now, CancellationToken cancellationToken)
    {
        if (key.LastUsedAt is { } last && now - last < LastUsedResolution)
            return;
        if (_lastUsedWritten.TryGetValue(key.Id, out var written) && now - written < LastUsedResolution)
            return;

        _lastUsedWritten[key.Id] = now;
        await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(k => k.SetProperty(r => r.LastUsedAt, now), cancellationToken);
    }

    /// <summary>
    /// Returns the user named <paramref name="name"/> ignoring letter case, as CreateUser compares names. A database
    /// from before that rule may hold names that differ only in case, and then only the exact name matches.
    /// <paramref name="users"/> is tracked when the caller changes the row.
    /// </summary>
    private static async Task<UserRow?> FindUserIgnoringCaseAsync(IQueryable<UserRow> users, string name, CancellationToken cancellationToken)
    {
        string lower = name.ToLowerInvariant();
        var matches = await users.Where(u => u.Name.ToLower() == lower).ToListAsync(cancellationToken);
        return matches.Count == 1 ? matches[0] : matches.FirstOrDefault(u => u.Name == name);
    }

    private Task AuditLoginFailureAsync(string name, string? reason)
    {
        var details = new Dictionary<string, object?> { ["user_name"] = name };
        if (reason is not null)
            details["reason"] = reason;
        return audit.TryAppendAsync(AuditActors.Anonymous, AuditActions.LoginFailure, UserSubject(name), details);
    }

    private SignInLockedException LockedOut(string name, DateTimeOffset lockedUntil)
    {
        var limits = options.Value.SignInLockout;
        var retryDelay = lockedUntil - time.GetUtcNow();
        string seconds = Math.Ceiling(Math.Max(retryDelay.TotalSeconds, 1)).ToString(CultureInfo.InvariantCulture);
        var error = RpcErrors.ResourceExhausted(
            $"Sign-in for user '{name}' is locked for {limits.LockoutSeconds} s after {limits.MaxFailures} failed sign-ins within "
            + $"{limits.WindowSeconds} s ({SignInLockoutOptions.SectionName}). Retry after {lockedUntil.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC "
            + $"(in {seconds} s), or ask an admin to check the account.",
            retryDelay);
        return new SignInLockedException(error.Status, error.Trailers);
    }

    private static async Task<UserRow?> ActiveUserAsync(ComputeDbContext db, string name, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        return user is { RevokedAt: null } ? user : null;
    }

    private static async Task RequireActiveUserAsync(ComputeDbContext db, string name, string field, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == name, cancellationToken)
            ?? throw RpcErrors.NotFound($"User '{name}' not found; 'unlearn users list' lists the users.");
        if (user.RevokedAt is not null)
            throw RpcErrors.FailedPrecondition(field, $"User '{name}' is revoked, so it cannot hold API keys; create a new user instead.");
    }

    private static async Task<ApiKeyRow> FindKeyAsync(ComputeDbContext db, string id, CancellationToken cancellationToken)
    {
        string keyId = id.Trim();
        if (keyId.Length == 0)
            throw RpcErrors.InvalidArgument("id", "id is empty; pass the key's public id, for example uk_0123456789ab ('unlearn keys list' lists them).");

        // A whole secret pasted in place of the id still finds its key, because the secret starts with the id.
        if (keyId.Length > Secrets.ApiKeyIdLength && keyId.StartsWith(Secrets.ApiKeyPrefix, StringComparison.Ordinal))
            keyId = keyId[..Secrets.ApiKeyIdLength];
        return await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken)
            ?? throw RpcErrors.NotFound($"API key '{keyId}' not found; 'unlearn keys list' lists the keys.");
    }

    private static async Task EnsureNameFreeAsync(ComputeDbContext db, string name, CancellationToken cancellationToken)
    {
        // Names differing only in letter case would read as the same person in the audit trail.
        string lower = name.ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.Name.ToLower() == lower, cancellationToken))
            throw RpcErrors.AlreadyExists($"A user named '{name}' already exists (user names are compared ignoring case); choose another name.");
    }

    private static async Task SaveUniqueAsync(ComputeDbContext db, string conflictMessage, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another call inserted the same primary key between the check and this insert.
            throw RpcErrors.AlreadyExists(conflictMessage);
        }
    }

    /// <summary>Returns the trimmed user name, or throws INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    internal static string ValidateUserName(string name, string field)
    {
        string trimmed = name.Trim();
        if (!UserNamePattern().IsMatch(trimmed))
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} '{Truncate(trimmed, 80)}' is invalid; use 1 to 64 characters: letters, digits, '.', '-' and '_'.");
        }

        return trimmed;
    }

    private static void ValidateRole(Role role)
    {
        if (!RoleNames.All.Contains(role))
        {
            throw RpcErrors.InvalidArgument("role",
                $"role {(int)role} is invalid; use ROLE_VIEWER, ROLE_ENGINEER, ROLE_COMPLIANCE or ROLE_ADMIN.");
        }
    }

    private static string ValidateDescription(string description)
    {
        string trimmed = description.Trim();
        if (trimmed.Length > 200)
            throw RpcErrors.InvalidArgument("description", $"description has {trimmed.Length} characters; use at most 200.");
        if (trimmed.Any(char.IsControl))
            throw RpcErrors.InvalidArgument("description", "description contains a control character; use plain text on one line.");
        return trimmed;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex UserNamePattern();
}

/// <summary>
/// The RESOURCE_EXHAUSTED of a sign-in whose user name is locked. The server logs the start of each lockout, so the
/// error interceptor does not log each rejected call, which would flood the log.
/// </summary>
internal sealed class SignInLockedException(Status status, Metadata trailers) : RpcException(status, trailers);
