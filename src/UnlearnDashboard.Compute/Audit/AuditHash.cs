using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Audit;

/// <summary>
/// The canonical encoding of an audit entry and its SHA-256. The encoding is the line
/// <c>unlearn-audit-v1</c> followed by each field as <c>LENGTH:VALUE\n</c>, where LENGTH is the decimal byte
/// count of the UTF-8 VALUE, in this order: sequence (decimal), time (<c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>),
/// actor, action, subject, details JSON (its stored text, byte for byte) and previous hash. Length prefixes
/// keep two different entries from encoding to the same bytes.
/// </summary>
public static class AuditHash
{
    /// <summary>The previous hash of the first entry: 64 zeros.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly byte[] Header = "unlearn-audit-v1\n"u8.ToArray();

    /// <summary>Returns the SHA-256 of the entry's canonical encoding, lowercase hex. <see cref="AuditEntryRow.Hash"/> is not part of it.</summary>
    public static string Compute(AuditEntryRow entry) => Convert.ToHexStringLower(SHA256.HashData(Encode(entry)));

    public static byte[] Encode(AuditEntryRow entry)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Header);
        WriteField(buffer, entry.Sequence.ToString(CultureInfo.InvariantCulture));
        WriteField(buffer, FormatTime(entry.Time));
        WriteField(buffer, entry.Actor);
        WriteField(buffer, entry.Action);
        WriteField(buffer, entry.Subject);
        WriteField(buffer, entry.DetailsJson);
        WriteField(buffer, entry.PreviousHash);
        return buffer.ToArray();
    }

    /// <summary>Formats a UTC time with microseconds; the kind is ignored because SQLite returns it unspecified.</summary>
    public static string FormatTime(DateTime utc) =>
        utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Drops the sub-microsecond ticks, which PostgreSQL cannot store, so the hashed time is the stored one.</summary>
    public static DateTime TruncateToMicroseconds(DateTimeOffset time)
    {
        long ticks = time.UtcTicks;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }

    private static void WriteField(MemoryStream buffer, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        buffer.Write(Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture)));
        buffer.WriteByte((byte)':');
        buffer.Write(bytes);
        buffer.WriteByte((byte)'\n');
    }
}
