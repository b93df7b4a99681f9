using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Engine;

namespace UnlearnDashboard.Compute.Storage;

/// <summary>
/// Content-addressed files under <c>DataDirectory/artifacts/&lt;first 2 hex&gt;/&lt;sha256&gt;</c>. A file is
/// written in the staging folder, flushed to disk, then renamed into place, so an artifact is either complete
/// or absent. Every read checks the hash, so a damaged or replaced file is never used.
/// </summary>
public sealed class ArtifactStore(IOptions<ComputeOptions> options)
{
    private readonly ComputeOptions _options = options.Value;

    /// <summary>Returns the path of an artifact, whether or not it exists.</summary>
    public string PathOf(string sha256) => Path.Combine(_options.ArtifactPath, sha256[..2], sha256);

    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>Creates an empty file in the staging folder that hashes what is written to it.</summary>
    public StagedFile CreateStagedFile()
    {
        Directory.CreateDirectory(_options.StagingPath);
        return new StagedFile(Path.Combine(_options.StagingPath, $"{Guid.NewGuid():N}.part"));
    }

    /// <summary>
    /// Moves a completed staged file into its content address. An existing artifact is kept when its content
    /// still has that hash, and replaced by the staged file when it was damaged.
    /// </summary>
    public void Commit(StagedFile file)
    {
        string sha256 = file.Sha256 ?? throw new InvalidOperationException("Complete the staged file before committing it.");
        string target = PathOf(sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target) && HashFile(target) == sha256)
        {
            file.Dispose();
            return;
        }

        File.Move(file.Path, target, overwrite: true);
        file.MarkCommitted();
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes bytes as an artifact and returns their SHA-256, lowercase hex.</summary>
    public async Task<string> WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        using var file = CreateStagedFile();
        await file.WriteAsync(bytes, cancellationToken);
        await file.CompleteAsync(cancellationToken);
        Commit(file);
        return file.Sha256!;
    }

    /// <summary>Reads an artifact and checks its SHA-256; a missing or altered file throws DATA_LOSS naming the field "artifact".</summary>
    public Task<byte[]> ReadVerifiedAsync(string sha256, CancellationToken cancellationToken) =>
        ReadVerifiedAsync(sha256, "artifact", cancellationToken);

    /// <summary>Reads an artifact and checks its SHA-256; a missing or altered file throws DATA_LOSS naming <paramref name="field"/>.</summary>
    public async Task<byte[]> ReadVerifiedAsync(string sha256, string field, CancellationToken cancellationToken)
    {
        string path = PathOf(sha256);
        if (!File.Exists(path))
            throw Missing(field, sha256);

        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != sha256)
            throw Damaged(field, sha256, actual, bytes.LongLength);

        return bytes;
    }

    /// <summary>
    /// Returns the DATA_LOSS error for an artifact that is not in the data folder. It names the artifact by its hash,
    /// not by its path, so that clients do not learn the server's folders.
    /// </summary>
    public static EngineException Missing(string field, string sha256) =>
        new(EngineErrorKind.DataLoss, field,
            $"Artifact {sha256} is missing from the server's data folder; restore the file from a backup.", sha256);

    /// <summary>Returns the DATA_LOSS error for an artifact whose content no longer has its SHA-256, naming an empty file as such.</summary>
    public static EngineException Damaged(string field, string sha256, string actual, long length)
    {
        string cause = length == 0 ? "the file is empty" : $"its SHA-256 is {actual} ({length} bytes)";
        return new(EngineErrorKind.DataLoss, field,
            $"Artifact {sha256} is damaged: {cause}, expected SHA-256 {sha256}. Restore the file from a backup.", sha256);
    }
}

/// <summary>
/// A file being written in the staging folder, hashed as it is written. Disposing it before it is committed
/// deletes it.
/// </summary>
public sealed class StagedFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _committed;

    internal StagedFile(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 81920, useAsync: true);
    }

    public string Path { get; }

    public long Length { get; private set; }

    /// <summary>SHA-256 of the content, lowercase hex; set by <see cref="CompleteAsync"/>.</summary>
    public string? Sha256 { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _hash.AppendData(data.Span);
        await _stream.WriteAsync(data, cancellationToken);
        Length += data.Length;
    }

    /// <summary>Flushes the content to disk, closes the file and computes its hash.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _stream.FlushAsync(cancellationToken);
        _stream.Flush(flushToDisk: true);
        await _stream.DisposeAsync();
        Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    internal void MarkCommitted() => _committed = true;

    public void Dispose()
    {
        _stream.Dispose();
        _hash.Dispose();
        if (!_committed)
            File.Delete(Path);
    }
}
