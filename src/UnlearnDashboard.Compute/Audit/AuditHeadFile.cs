using System.Text.Json;
using System.Text.Json.Serialization;

namespace UnlearnDashboard.Compute.Audit;

/// <summary>
/// The audit chain's head as recorded outside the database: the entry count and the latest entry's hash.
/// While an append is between its database commit and its final write, <see cref="PendingCount"/> and
/// <see cref="PendingHash"/> name the entry being added, so a crash at any point leaves a head that matches.
/// </summary>
public sealed record AuditHead(
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("pendingCount")] long? PendingCount = null,
    [property: JsonPropertyName("pendingHash")] string? PendingHash = null)
{
    /// <summary>True when a chain of <paramref name="count"/> entries ending in <paramref name="hash"/> is the recorded or the pending head.</summary>
    public bool Matches(long count, string hash) =>
        (Count == count && Hash == hash) || (PendingCount == count && PendingHash == hash);
}

/// <summary>
/// Reads and writes <see cref="AuditHead"/> as a small JSON file. A write goes to a temporary file in the same
/// folder, is flushed to disk and then renamed over the old file, so a reader sees the old or the new head,
/// never a partial one.
/// </summary>
public sealed class AuditHeadFile(string path)
{
    public string Path { get; } = path;

    /// <summary>Returns the recorded head, or null when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a head file.</exception>
    public AuditHead? Read()
    {
        if (!File.Exists(Path))
            return null;

        try
        {
            var head = JsonSerializer.Deserialize<AuditHead>(File.ReadAllBytes(Path));
            if (head is null || head.Count < 0 || head.Hash is not { Length: 64 })
                throw new InvalidDataException($"The audit head file {Path} has no valid count and hash.");
            return head;
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The audit head file {Path} is not valid JSON: {error.Message}", error);
        }
    }

    public void Write(AuditHead head)
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        string temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, head);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
