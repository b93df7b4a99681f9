namespace UnlearnDashboard.Compute.Storage;

// Rows of users, API keys and session tokens. Secrets are never stored: keys and tokens only as the SHA-256 of
// the secret, passwords only as a salted PBKDF2 hash. Times are UTC.

/// <summary>A person or service that holds keys or signs in.</summary>
public sealed class UserRow
{
    /// <summary>Unique name, 1 to 64 characters: letters, digits, '.', '-' and '_'.</summary>
    public required string Name { get; set; }

    /// <summary>The proto <c>Role</c> as its number.</summary>
    public int Role { get; set; }

    /// <summary>PBKDF2-SHA256 of the password with <see cref="PasswordSalt"/>, 32 bytes.</summary>
    public required byte[] PasswordHash { get; set; }

    /// <summary>Random salt of this user's password hash, 16 bytes.</summary>
    public required byte[] PasswordSalt { get; set; }

    /// <summary>PBKDF2 iteration count the hash was made with, so it can be raised later without breaking old hashes.</summary>
    public int PasswordIterations { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set once the user is revoked; a revoked user's keys and tokens stop working.</summary>
    public DateTime? RevokedAt { get; set; }
}

/// <summary>An API key; the secret is shown once at creation and stored only as its hash.</summary>
public sealed class ApiKeyRow
{
    /// <summary>Public id, also the start of the secret ("uk_" and 12 hex digits).</summary>
    public required string Id { get; set; }

    /// <summary>SHA-256 of the whole secret. The secret has 256 random bits, so a plain hash cannot be reversed.</summary>
    public required byte[] SecretHash { get; set; }

    public required string UserName { get; set; }

    /// <summary>Free text saying what the key is for, up to 200 characters.</summary>
    public required string Description { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set once the key is revoked or rotated.</summary>
    public DateTime? RevokedAt { get; set; }

    /// <summary>The last time a call used the key; null if never.</summary>
    public DateTime? LastUsedAt { get; set; }
}

/// <summary>A session token from SignIn, stored only as its hash.</summary>
public sealed class SessionTokenRow
{
    /// <summary>SHA-256 of the token; the primary key, so a lookup needs no secret comparison in SQL.</summary>
    public required byte[] TokenHash { get; set; }

    public required string UserName { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}
