using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Records, under <c>DataDirectory/jobs/commits</c>, the weights artifact a job is about to store before it
/// commits the version that refers to it. A server killed between the two leaves an artifact that no
/// version uses; recovery removes it, unless a committed version or another entry has the same weights, so no
/// orphaned weights stay in the artifact folder.
/// </summary>
/// <remarks>
/// With one server (SQLite), <see cref="RecoverAsync"/> handles every entry at start. When several servers share
/// the data folder (PostgreSQL), an entry is named after the job and its attempt, and is recovered by the
/// server that claims the job next (<see cref="RecoverJobAsync"/>) or, for a job that has ended since, at the
/// start of any server (<see cref="RecoverEndedJobsAsync"/>).
/// </remarks>
public sealed class CommitJournal(IOptions<ComputeOptions> options, ArtifactStore artifacts, JobStore store, ILogger<CommitJournal> logger)
{
    private string Folder => Path.Combine(options.Value.DataPath, "jobs", "commits");

    /// <summary>Returns the entry name of a job's commit: the job id, followed by the attempt under a lease.</summary>
    public static string EntryName(string jobId, JobLease? lease) => lease is null ? jobId : $"{jobId}.{lease.Attempt}";

    /// <summary>Writes the entry of a job's commit to disk; delete it with <see cref="End"/> once the version is committed.</summary>
    public async Task BeginAsync(string entryName, string weightsSha256)
    {
        Directory.CreateDirectory(Folder);
        await using var file = new FileStream(PathOf(entryName), FileMode.Create, FileAccess.Write, FileShare.None);
        await file.WriteAsync(System.Text.Encoding.ASCII.GetBytes(weightsSha256));
        file.Flush(flushToDisk: true);
    }

    /// <summary>Deletes the entry of a job whose version is committed.</summary>
    public void End(string entryName) => File.Delete(PathOf(entryName));

    /// <summary>
    /// Removes the weights of every commit that a previous run started but did not finish, then the entries.
    /// Run at start, before any job runs, because a job in progress may share the weights of an entry.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder))
            return;

        foreach (string entry in Directory.EnumerateFiles(Folder))
            await RemoveUncommittedAsync(entry, cancellationToken);
    }

    /// <summary>
    /// Removes the uncommitted weights of earlier attempts of a job that this server has just claimed, and
    /// their entries. The attempts' servers died or lost their lease, so none of them commits any more.
    /// </summary>
    public async Task RecoverJobAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder))
            return;

        foreach (string entry in Directory.EnumerateFiles(Folder, $"{jobId}*"))
        {
            string name = Path.GetFileName(entry);
            if (name == jobId || name.StartsWith(jobId + ".", StringComparison.Ordinal))
                await RemoveUncommittedAsync(entry, cancellationToken);
        }
    }

    /// <summary>
    /// Removes the entries, and any uncommitted weights, of jobs that have ended or no longer exist: a server died
    /// after committing such a job's version and before deleting its entry.
    /// </summary>
    public async Task RecoverEndedJobsAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Folder))
            return;

        foreach (string entry in Directory.EnumerateFiles(Folder))
        {
            string jobId = Path.GetFileName(entry).Split('.')[0];
            var job = await store.FindAsync(jobId, cancellationToken);
            if (job is null || job.State is not ((int)Proto.JobState.Queued or (int)Proto.JobState.Running))
                await RemoveUncommittedAsync(entry, cancellationToken);
        }
    }

    /// <summary>
    /// Deletes an entry's weights when no committed version and no other entry uses them, then the entry.
    /// </summary>
    /// <remarks>
    /// NOTE: with several servers, a job on another server that computes the same weights and writes its own entry
    /// between the checks here and the deletion would lose its artifact; that needs identical weights from two
    /// jobs within milliseconds.
    /// </remarks>
    public async Task RemoveUncommittedAsync(string entry, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(entry);
        string sha256;
        try
        {
            sha256 = (await File.ReadAllTextAsync(entry, cancellationToken)).Trim();
        }
        catch (FileNotFoundException)
        {
            // Another server recovered the entry first.
            return;
        }

        bool wellFormed = sha256.Length == 64 && sha256.All(Uri.IsHexDigit);
        if (wellFormed
            && artifacts.Exists(sha256)
            && !await store.IsWeightsInUseAsync(sha256, cancellationToken)
            && !await IsNamedByOtherEntryAsync(sha256, name, cancellationToken))
        {
            File.Delete(artifacts.PathOf(sha256));
            logger.UncommittedArtifactRemoved(name, sha256);
        }

        File.Delete(entry);
    }

    /// <summary>Removes the entry and uncommitted weights of this server's own attempt, after it lost the job's lease.</summary>
    public Task AbandonAsync(string entryName, CancellationToken cancellationToken) =>
        File.Exists(PathOf(entryName)) ? RemoveUncommittedAsync(PathOf(entryName), cancellationToken) : Task.CompletedTask;

    private async Task<bool> IsNamedByOtherEntryAsync(string sha256, string entryName, CancellationToken cancellationToken)
    {
        foreach (string other in Directory.EnumerateFiles(Folder))
        {
            if (Path.GetFileName(other) == entryName)
                continue;

            try
            {
                if ((await File.ReadAllTextAsync(other, cancellationToken)).Trim() == sha256)
                    return true;
            }
            catch (FileNotFoundException)
            {
                // Ended meanwhile.
            }
        }

        return false;
    }

    private string PathOf(string entryName) => Path.Combine(Folder, entryName);
}
