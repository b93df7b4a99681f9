using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Checks uploaded chunks against the <c>Upload</c> limits and resolves paths in the import folder.</summary>
internal static class UploadReceiver
{
    /// <summary>
    /// Throws INVALID_ARGUMENT naming <paramref name="field"/> for a chunk over <see cref="UploadOptions.MaxChunkBytes"/>,
    /// and RESOURCE_EXHAUSTED when the chunks add up to more than <see cref="UploadOptions.MaxTotalBytes"/>.
    /// </summary>
    public static void CheckChunk(UploadOptions limits, int chunkBytes, long receivedBytes, string field)
    {
        if (chunkBytes > limits.MaxChunkBytes)
        {
            throw RpcErrors.InvalidArgument(field,
                $"A chunk of {chunkBytes} bytes is over the limit of {limits.MaxChunkBytes} bytes; send smaller chunks (64 KiB works well).");
        }

        if (receivedBytes + chunkBytes > limits.MaxTotalBytes)
        {
            throw RpcErrors.ResourceExhausted(
                $"The upload is over the limit of {limits.MaxTotalBytes} bytes (Upload:MaxTotalBytes); at least {receivedBytes + chunkBytes} bytes were sent.");
        }
    }

    /// <summary>Writes a chunk to a staged file after checking it against the limits.</summary>
    public static async Task AppendAsync(StagedFile file, UploadOptions limits, ReadOnlyMemory<byte> chunk, string field, CancellationToken cancellationToken)
    {
        CheckChunk(limits, chunk.Length, file.Length, field);
        await file.WriteAsync(chunk, cancellationToken);
    }

    /// <summary>
    /// Resolves a path relative to the import folder. Absolute paths, '..' segments, control characters and
    /// symbolic links (which could point outside the folder) are rejected with INVALID_ARGUMENT naming the
    /// field, and so are empty files, FIFOs and devices. A missing file is NOT_FOUND.
    /// </summary>
    public static string ResolveImportPath(ComputeOptions options, string relativePath, string field)
    {
        if (string.IsNullOrWhiteSpace(relativePath))
            throw RpcErrors.InvalidArgument(field, $"{field} is empty; pass a path relative to the import folder.");
        if (relativePath.Any(char.IsControl))
        {
            int position = relativePath.IndexOf(relativePath.First(char.IsControl));
            throw RpcErrors.InvalidArgument(field,
                $"{field} contains the control character U+{(int)relativePath[position]:X4} at position {position}; pass a plain file path.");
        }

        if (Path.IsPathRooted(relativePath) || relativePath.StartsWith('~'))
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} '{relativePath}' is absolute; pass a path relative to the import folder, or upload the file in chunks.");
        }

        var segments = relativePath.Split('/', '\\');
        if (segments.Contains(".."))
            throw RpcErrors.InvalidArgument(field, $"{field} '{relativePath}' contains '..'; pass a path inside the import folder.");

        string root = Path.GetFullPath(options.ImportPath) + Path.DirectorySeparatorChar;
        string fullPath = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!fullPath.StartsWith(root, StringComparison.Ordinal))
            throw RpcErrors.InvalidArgument(field, $"{field} '{relativePath}' is outside the import folder; pass a path inside it.");
        if (!File.Exists(fullPath))
            throw RpcErrors.NotFound($"{field} '{relativePath}' was not found in the import folder {options.ImportPath}.");

        string current = root;
        foreach (string segment in fullPath[root.Length..].Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, segment);
            if (new FileInfo(current).LinkTarget is not null)
            {
                throw RpcErrors.InvalidArgument(field,
                    $"{field} '{relativePath}' goes through the symbolic link {current}, which could lead outside the import folder; "
                    + "copy the file into the folder instead.");
            }
        }

        // A FIFO or device file reports length 0, and opening a FIFO blocks until something writes to it.
        if (new FileInfo(fullPath).Length == 0)
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} '{relativePath}' is empty (0 bytes) or not a regular file; pass a CSV, Parquet or weights file.");
        }

        return fullPath;
    }
}
