using System.Text;

namespace UnlearnDashboard.Compute.Audit;

/// <summary>
/// Every audit entry's hash, recorded outside the database as it is appended: line N (64 hex digits and a
/// newline, so every line is <see cref="LineBytes"/> long) is the hash of entry N. It lets verification name
/// the first entry of a chain that was rewritten and recomputed, which the head file alone cannot.
/// Lines past the head file's count are left by an append that did not commit, and the next append
/// overwrites them.
/// </summary>
public sealed class AuditHashLog(string path)
{
    public const int LineBytes = 65;

    public string Path { get; } = path;

    /// <summary>Returns the recorded hashes in order; empty when the file does not exist.</summary>
    public IReadOnlyList<string> Read()
    {
        if (!File.Exists(Path))
            return [];

        byte[] bytes = File.ReadAllBytes(Path);
        var hashes = new List<string>(bytes.Length / LineBytes);
        for (int offset = 0; offset + LineBytes <= bytes.Length; offset += LineBytes)
            hashes.Add(Encoding.ASCII.GetString(bytes, offset, LineBytes - 1));
        return hashes;
    }

    /// <summary>Writes the hash of entry <paramref name="sequence"/> as its line, drops any later lines and flushes to disk.</summary>
    public void Write(long sequence, string hash)
    {
        using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        stream.Position = (sequence - 1) * LineBytes;
        stream.Write(Encoding.ASCII.GetBytes(hash + "\n"));
        stream.SetLength(sequence * LineBytes);
        stream.Flush(flushToDisk: true);
    }
}
