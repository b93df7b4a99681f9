using System.Security.Cryptography;
using System.Text;

namespace UnlearnDashboard.Compute.Access;

/// <summary>
/// Makes and checks the server's secrets. API keys and session tokens carry 256 random bits, so storing a plain
/// SHA-256 of them is safe. Passwords are chosen by people, so they get PBKDF2-SHA256 with a per-user salt.
/// </summary>
public static class Secrets
{
    /// <summary>Prefix of an API key's id and secret.</summary>
    public const string ApiKeyPrefix = "uk_";

    /// <summary>Prefix of a session token.</summary>
    public const string SessionTokenPrefix = "us_";

    /// <summary>Length of an API key's public id: the prefix and 12 hex digits.</summary>
    public const int ApiKeyIdLength = 15;

    /// <summary>
    /// PBKDF2-SHA256 iterations for new password hashes: 600,000, the OWASP Password Storage Cheat Sheet's
    /// figure for PBKDF2-HMAC-SHA256 (2023).
    /// </summary>
    public const int PasswordIterations = 600_000;

    /// <summary>Shortest password accepted, in characters.</summary>
    public const int MinimumPasswordLength = 12;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const int SecretBytes = 32;

    /// <summary>Returns a new API key as its public id and its secret, which starts with the id.</summary>
    public static (string Id, string Secret) NewApiKey()
    {
        string id = ApiKeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return (id, id + "_" + RandomText(SecretBytes));
    }

    /// <summary>Returns a new session token.</summary>
    public static string NewSessionToken() => SessionTokenPrefix + RandomText(SecretBytes);

    /// <summary>Returns a random password of 24 URL-safe characters (144 bits).</summary>
    public static string NewPassword() => RandomText(18);

    /// <summary>Returns the SHA-256 of a key or token secret.</summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Returns true when the secret's hash equals <paramref name="expectedHash"/>, compared in constant time.</summary>
    public static bool SecretMatches(string secret, byte[] expectedHash) =>
        CryptographicOperations.FixedTimeEquals(HashSecret(secret), expectedHash);

    /// <summary>Returns a new salt and the PBKDF2-SHA256 hash of the password with it.</summary>
    public static (byte[] Hash, byte[] Salt) HashPassword(string password)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (Pbkdf2(password, salt, PasswordIterations), salt);
    }

    /// <summary>
    /// Returns a hash and salt that no password matches, for users who authenticate only with API keys: the
    /// iteration count 0 marks it, and <see cref="PasswordMatches"/> rejects it without hashing.
    /// </summary>
    public static (byte[] Hash, byte[] Salt, int Iterations) NoPassword() =>
        (RandomNumberGenerator.GetBytes(HashBytes), RandomNumberGenerator.GetBytes(SaltBytes), 0);

    /// <summary>Returns true when the password hashes to <paramref name="expectedHash"/>, compared in constant time.</summary>
    public static bool PasswordMatches(string password, byte[] expectedHash, byte[] salt, int iterations)
    {
        if (iterations <= 0)
        {
            // Spend the same time as a real check, so a response time does not tell which users have a password.
            Pbkdf2(password, salt, PasswordIterations);
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Pbkdf2(password, salt, iterations), expectedHash);
    }

    /// <summary>Spends the time of one password check, for a sign-in with an unknown user name.</summary>
    public static void HashDummyPassword(string password) =>
        Pbkdf2(password, new byte[SaltBytes], PasswordIterations);

    private static byte[] Pbkdf2(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    private static string RandomText(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
