using System.ComponentModel.DataAnnotations;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// Settings of the compute server, bound from the root of the configuration so that
/// <c>--DataDirectory PATH</c> works on the command line.
/// </summary>
public sealed class ComputeOptions
{
    /// <summary>
    /// Folder of the SQLite database (<c>unlearn.db</c>), the artifacts and the audit head file. Default <c>./data</c>, relative to the
    /// working directory.
    /// </summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Folder that <c>RegisterDataset</c> reads files from; its paths are relative to it. Default
    /// <c>DataDirectory/import</c>.
    /// </summary>
    public string? ImportDirectory { get; set; }

    /// <summary>
    /// Registers the shipped demo datasets and trains their default models on the first start, when the
    /// database has no datasets. Default true.
    /// </summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>Database provider and connection string, from the <c>Database</c> section.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Limits of <c>UploadDataset</c>.</summary>
    public UploadOptions Upload { get; set; } = new();

    /// <summary>Absolute path of <see cref="DataDirectory"/>.</summary>
    public string DataPath => Path.GetFullPath(DataDirectory);

    /// <summary>Absolute path of the import folder.</summary>
    public string ImportPath => string.IsNullOrWhiteSpace(ImportDirectory)
        ? Path.Combine(DataPath, "import")
        : Path.GetFullPath(ImportDirectory);

    /// <summary>Folder of the content-addressed artifacts.</summary>
    public string ArtifactPath => Path.Combine(DataPath, "artifacts");

    /// <summary>Folder of files being received or written, on the same file system as the artifacts.</summary>
    public string StagingPath => Path.Combine(DataPath, "staging");

    public string DatabasePath => Path.Combine(DataPath, "unlearn.db");

    /// <summary>Folder of the seed-noise band's cached trainings, shared by every job worker of this data folder.</summary>
    public string SeedBandCachePath => Path.Combine(DataPath, "cache", "seed-band");

    /// <summary>
    /// File outside the database that records the audit chain's entry count and latest hash, so that a
    /// truncated or recomputed chain is detected.
    /// </summary>
    public string AuditHeadPath => Path.Combine(DataPath, "audit-head.json");

    /// <summary>File outside the database that records every audit entry's hash, one line per entry.</summary>
    public string AuditHashLogPath => Path.Combine(DataPath, "audit-hashes.log");

    /// <summary>Connection string of the configured provider: the SQLite default or <see cref="DatabaseOptions.ConnectionString"/>.</summary>
    public string DatabaseConnectionString =>
        Database.IsSqlite && string.IsNullOrWhiteSpace(Database.ConnectionString)
            ? $"Data Source={DatabasePath}"
            : Database.ConnectionString ?? "";
}

/// <summary>Limits of a chunked dataset upload, bound from the <c>Upload</c> section.</summary>
public sealed class UploadOptions
{
    /// <summary>Largest total size of the uploaded files, in bytes. Default 256 MiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxTotalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Largest <c>FileChunk.data</c>, in bytes. Default 1 MiB, well under gRPC's 4 MiB default message limit.
    /// </summary>
    [Range(1, 4 * 1024 * 1024 - 1024)]
    public int MaxChunkBytes { get; set; } = 1024 * 1024;
}

/// <summary>Job scheduling, bound from the <c>Jobs</c> section.</summary>
public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Jobs that run at the same time. Default 1, because each job uses every CPU core.</summary>
    [Range(1, 64)]
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>Jobs that may wait in the queue; a submission beyond it fails with RESOURCE_EXHAUSTED. Default 64.</summary>
    [Range(1, 100_000)]
    public int MaxQueued { get; set; } = 64;

    /// <summary>
    /// Length of a running job's lease in the PostgreSQL job queue, in seconds. Default 30. The server that
    /// runs a job renews the lease every third of this; when the server dies, another takes the job over once
    /// the lease has expired. SQLite, with its single server, has no leases.
    /// </summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 30;
}

/// <summary>
/// Limits of the comparisons and fairness evaluations that run in the server's own process rather than in a job,
/// bound from the <c>Analysis</c> section.
/// </summary>
public sealed class AnalysisOptions
{
    public const string SectionName = "Analysis";

    /// <summary>Comparisons, meeting packs and fairness evaluations that run at the same time. Default 2.</summary>
    [Range(1, 64)]
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>Calls that may wait for a free place; one more fails with RESOURCE_EXHAUSTED. Default 16.</summary>
    [Range(0, 10_000)]
    public int MaxQueued { get; set; } = 16;
}
