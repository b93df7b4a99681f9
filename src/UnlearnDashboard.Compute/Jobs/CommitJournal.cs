using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Records, under <c>DataDirectory/jobs/commits</c>, the weights artifact a job is about to store before it
/// commits the version that refers to it. A server killed between the two leaves an artifact that no
/// version uses; at the next start <see cref="RecoverAsync"/> removes it, unless a committed version has the
/// same weights, so no orphaned weights stay in the artifact folder.
/// </summary>
public sealed class CommitJournal(IOptions<ComputeOptions> options, ArtifactStore artifacts, JobStore store, ILogger<CommitJournal> logger)
{
    private string Folder => Path.Combine(options.Value.DataPath, "jobs", "commits");

    /// <summary>Writes the entry of a job's commit to disk; delete it with <see cref="End"/> once the version is committed.</summary>
    public async Task BeginAsync(string jobId, string weightsSha256)
    {
        Directory.CreateDirectory(Folder);
        await using var file = new FileStream(PathOf(jobId), FileMode.Create, FileAccess.Write, FileShare.None);
        await file.WriteAsync(System.Text.Encoding.ASCII.GetBytes(weightsSha256));
        file.Flush(flushToDisk: true);
    }

    /// <summary>Deletes the entry of a job whose version is committed.</summary>
    public void End(string jobId) => File.Delete(PathOf(jobId));

    /// <summary>
    /// Removes the weights of every commit that a previous run started but did not finish, then the entries.
    /// Run at start, before any job runs, because a job in progress may share the weights of an entry.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder))
            return;

        foreach (string entry in Directory.EnumerateFiles(Folder))
        {
            string jobId = Path.GetFileName(entry);
            string sha256 = (await File.ReadAllTextAsync(entry, cancellationToken)).Trim();
            bool wellFormed = sha256.Length == 64 && sha256.All(Uri.IsHexDigit);
            if (wellFormed && artifacts.Exists(sha256) && !await store.IsWeightsInUseAsync(sha256, cancellationToken))
            {
                File.Delete(artifacts.PathOf(sha256));
                logger.UncommittedArtifactRemoved(jobId, sha256);
            }

            File.Delete(entry);
        }
    }

    private string PathOf(string jobId) => Path.Combine(Folder, jobId);
}
