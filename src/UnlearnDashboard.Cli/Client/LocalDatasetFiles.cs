using System.Security.Cryptography;

namespace UnlearnDashboard.Cli.Client;

/// <summary>The local CSV or Parquet files of a dataset to upload, with their SHA-256 hashes in lowercase hex.</summary>
internal sealed record LocalDatasetFiles(string TrainPath, string TrainSha256, string? TestPath, string? TestSha256)
{
    /// <summary>Checks that the files exist and are not empty, and hashes them.</summary>
    /// <exception cref="UsageException">A path is missing, a folder, or an empty file.</exception>
    public static async Task<LocalDatasetFiles> OpenAsync(string trainPath, string? testPath, CancellationToken cancellationToken)
    {
        RequireFile(trainPath, "--data");
        if (testPath is not null)
        {
            RequireFile(testPath, "--test-data");
        }

        var trainSha256 = await HashAsync(trainPath, cancellationToken);
        var testSha256 = testPath is null ? null : await HashAsync(testPath, cancellationToken);
        return new LocalDatasetFiles(trainPath, trainSha256, testPath, testSha256);
    }

    private static void RequireFile(string path, string optionName)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(path))
            throw new UsageException($"'{fullPath}' is a folder, not a file (given to {optionName}).");
        if (!File.Exists(path))
            throw new UsageException($"file not found: '{fullPath}' (given to {optionName}).");

        // An empty file uploads no chunk at all, which the server can only report as a missing file.
        if (new FileInfo(path).Length == 0)
            throw new UsageException($"file '{fullPath}' is empty (given to {optionName}).");
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }
}
