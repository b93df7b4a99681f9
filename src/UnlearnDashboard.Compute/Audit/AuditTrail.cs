using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;

namespace UnlearnDashboard.Compute.Audit;

/// <summary>
/// Appends entries to the hash-chained audit trail, lists them and verifies the chain. Appends are serialised
/// across processes: on PostgreSQL by a session advisory lock, on SQLite by an exclusive lock on a file beside
/// the head file, and within this process by a semaphore. The head file is written under the same lock, so
/// it never moves backwards.
/// </summary>
public sealed class AuditTrail(
    IDbContextFactory<ComputeDbContext> dbFactory,
    IOptions<ComputeOptions> options,
    TimeProvider time,
    ILogger<AuditTrail> logger)
{
    /// <summary>Key of the PostgreSQL advisory lock that serialises appends; any constant unique to this use.</summary>
    public const long AdvisoryLockKey = 0x756E_6C65_6172_6E01;

    /// <summary>How long an append waits for another process's file lock on SQLite before it gives up.</summary>
    private static readonly TimeSpan FileLockTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public AuditHeadFile HeadFile { get; } = new(options.Value.AuditHeadPath);

    public AuditHashLog HashLog { get; } = new(options.Value.AuditHashLogPath);

    /// <summary>
    /// Appends an entry and returns it. <paramref name="details"/> contains ids, hashes and counts, never row data;
    /// its keys are written in ordinal order so the same details always give the same JSON.
    /// </summary>
    public async Task<AuditEntryRow> AppendAsync(
        string actor,
        string action,
        string subject,
        IReadOnlyDictionary<string, object?> details,
        CancellationToken cancellationToken)
    {
        var record = new AuditRecord(actor, action, subject, details);
        var entry = await CommitWithEntryAsync((_, _) => Task.FromResult<AuditRecord?>(record), cancellationToken);
        return entry!;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> in a transaction and appends the entry it returns in the same transaction,
    /// so the operation and its record commit together or not at all, and nobody sees one without the other. The
    /// operation returns null when there is nothing to record; whatever it changed still commits. Returns the entry.
    /// </summary>
    /// <remarks>
    /// The operation runs while the chain is locked, so it must be short and must not append entries itself.
    /// </remarks>
    public async Task<AuditEntryRow?> CommitWithEntryAsync(
        Func<ComputeDbContext, CancellationToken, Task<AuditRecord?>> operation,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var chainLock = await LockChainAsync(db, cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var record = await operation(db, cancellationToken);
            if (record is null)
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return null;
            }

            // From here on the append completes even if the caller goes away, so no half-written state is left.
            var last = await db.AuditEntries.AsNoTracking()
                .OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash })
                .FirstOrDefaultAsync(CancellationToken.None);
            long lastSequence = last?.Sequence ?? 0;
            string lastHash = last?.Hash ?? AuditHash.Genesis;

            var entry = new AuditEntryRow
            {
                Sequence = lastSequence + 1,
                Time = AuditHash.TruncateToMicroseconds(time.GetUtcNow()),
                Actor = record.Actor,
                Action = record.Action,
                Subject = record.Subject,
                DetailsJson = record.DetailsJson(),
                PreviousHash = lastHash,
                Hash = "",
            };
            entry.Hash = AuditHash.Compute(entry);
            db.AuditEntries.Add(entry);
            await db.SaveChangesAsync(CancellationToken.None);

            // The head file moves only from the chain it records, so a truncated or rewritten chain keeps failing
            // verification instead of being recorded as the new truth by the next append.
            bool advanceHead = CanAdvanceHead(lastSequence, lastHash);
            if (advanceHead)
            {
                HashLog.Write(entry.Sequence, entry.Hash);
                HeadFile.Write(new AuditHead(lastSequence, lastHash, entry.Sequence, entry.Hash));
            }

            await transaction.CommitAsync(CancellationToken.None);
            if (advanceHead)
                HeadFile.Write(new AuditHead(entry.Sequence, entry.Hash));
            return entry;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Appends an entry for an operation that has already been committed, logging instead of throwing when the
    /// append fails, so that the operation's caller still sees its real outcome.
    /// </summary>
    /// <remarks>
    /// NOTE: the entry is written after the operation's own transaction, so a crash between the two loses the
    /// entry; the operation itself is kept.
    /// </remarks>
    public async Task TryAppendAsync(string actor, string action, string subject, IReadOnlyDictionary<string, object?> details)
    {
        try
        {
            await AppendAsync(actor, action, subject, details, CancellationToken.None);
        }
        catch (Exception error)
        {
            logger.AuditAppendFailed(error, action, subject);
        }
    }

    /// <summary>Lists entries in chain order that match every filter that is set.</summary>
    public async Task<IReadOnlyList<AuditEntryRow>> ListAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuditEntries.AsNoTracking().Where(e => e.Sequence > filter.AfterSequence);
        if (filter.Actor is not null)
            query = query.Where(e => e.Actor == filter.Actor);
        if (filter.Action is not null)
            query = query.Where(e => e.Action == filter.Action);
        if (filter.Subject is not null)
            query = query.Where(e => e.Subject == filter.Subject);
        if (filter.Since is { } since)
            query = query.Where(e => e.Time >= since);
        if (filter.Until is { } until)
            query = query.Where(e => e.Time < until);
        return await query.OrderBy(e => e.Sequence).Take(filter.Limit).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Checks every entry in order (sequence without gaps, link to the previous hash, own hash, and the hash
    /// recorded in the hash log when it was appended) and then the chain's end against the head file, and
    /// names the first broken entry.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        AuditHead? head = null;
        string? headError = null;
        try
        {
            head = HeadFile.Read();
        }
        catch (InvalidDataException error)
        {
            headError = error.Message;
        }

        // Hashes past the head file's count belong to appends that may not have committed.
        var logged = HashLog.Read();
        long loggedLimit = head is null ? 0 : Math.Max(head.Count, head.PendingCount ?? 0);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        long count = 0;
        string lastHash = AuditHash.Genesis;
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            long expected = count + 1;
            if (entry.Sequence != expected)
            {
                return AuditVerification.Broken(count, lastHash, expected,
                    $"Entry {expected} is missing: the entry after {count} is {entry.Sequence}.", head);
            }

            if (entry.PreviousHash != lastHash)
            {
                return AuditVerification.Broken(count, lastHash, entry.Sequence,
                    $"Entry {entry.Sequence} does not link to entry {count}: its previous hash is {entry.PreviousHash}, but entry {count} hashes to {lastHash}.", head);
            }

            string actual = AuditHash.Compute(entry);
            if (actual != entry.Hash)
            {
                return AuditVerification.Broken(count, lastHash, entry.Sequence,
                    $"Entry {entry.Sequence} was changed after it was written: its content hashes to {actual}, but its stored hash is {entry.Hash}.", head);
            }

            if (entry.Sequence <= Math.Min(loggedLimit, logged.Count) && logged[(int)entry.Sequence - 1] != entry.Hash)
            {
                return AuditVerification.Broken(count, lastHash, entry.Sequence,
                    $"Entry {entry.Sequence} hashes to {entry.Hash}, but when it was appended its hash was recorded as {logged[(int)entry.Sequence - 1]} "
                    + $"in {HashLog.Path}: the chain was rewritten and its hashes recomputed from entry {entry.Sequence} on.", head);
            }

            count = entry.Sequence;
            lastHash = entry.Hash;
        }

        var result = CheckHead(count, lastHash, head, headError);
        if (!result.IsIntact)
            return result;

        var missing = await MissingTriggersAsync(db, cancellationToken);
        return missing.Count == 0
            ? result
            : AuditVerification.Broken(count, lastHash, 0,
                $"The append-only triggers {string.Join(", ", missing)} are missing from the database, so entries could be "
                + "changed without the database rejecting it. Someone with direct access dropped them; restore them from "
                + "the migration and find out who did.", head);
    }

    /// <summary>Returns the append-only triggers the migrations create that the database no longer has.</summary>
    private static async Task<List<string>> MissingTriggersAsync(ComputeDbContext db, CancellationToken cancellationToken)
    {
        bool postgres = db.Database.IsNpgsql();
        string sql = postgres
            ? "SELECT tgname AS \"Value\" FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass AND NOT tgisinternal"
            : "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'";
        var present = await db.Database.SqlQueryRaw<string>(sql).ToListAsync(cancellationToken);
        string[] expected = postgres
            ? [AuditTriggers.UpdateTrigger, AuditTriggers.DeleteTrigger, AuditTriggers.TruncateTrigger]
            : [AuditTriggers.UpdateTrigger, AuditTriggers.DeleteTrigger];
        return expected.Where(name => !present.Contains(name)).ToList();
    }

    /// <summary>Compares an internally consistent chain of <paramref name="count"/> entries with the head file.</summary>
    private AuditVerification CheckHead(long count, string lastHash, AuditHead? head, string? headError)
    {
        if (headError is not null)
            return AuditVerification.Broken(count, lastHash, Math.Max(count, 1), headError);

        if (head is null)
        {
            return count == 0
                ? AuditVerification.Intact(0, lastHash, null)
                : AuditVerification.Broken(count, lastHash, count,
                    $"The head file {HeadFile.Path} is missing, so the chain's {count} entries cannot be checked for truncation or recomputation.");
        }

        if (head.Matches(count, lastHash))
            return AuditVerification.Intact(count, lastHash, head);

        long recorded = head.PendingCount is { } pending && pending > head.Count ? pending : head.Count;
        if (count < head.Count)
        {
            return AuditVerification.Broken(count, lastHash, count + 1,
                $"Entries {count + 1} to {head.Count} were deleted: the head file records {head.Count} entries, the table has {count}.", head);
        }

        if (count > recorded)
        {
            return AuditVerification.Broken(count, lastHash, head.Count + 1,
                $"Entries {head.Count + 1} to {count} were added without passing through the server: the head file records {head.Count} entries, the table has {count}.", head);
        }

        // Same length, different hash: the chain was recomputed after an edit, and the hash log did not name an
        // earlier entry (it is missing or was rewritten too), so the last entry is the first shown to differ.
        return AuditVerification.Broken(count, lastHash, count,
            $"Entry {count} hashes to {lastHash}, but the head file records {head.Hash}: the chain was rewritten and its hashes recomputed at or before entry {count}.", head);
    }

    /// <summary>
    /// Returns true when the head file records the chain that ends at <paramref name="lastSequence"/>, or no
    /// chain at all while the table is empty. Otherwise the file keeps its evidence and the error is logged.
    /// </summary>
    private bool CanAdvanceHead(long lastSequence, string lastHash)
    {
        AuditHead? head;
        try
        {
            head = HeadFile.Read();
        }
        catch (InvalidDataException error)
        {
            logger.AuditHeadMismatch(HeadFile.Path, error.Message);
            return false;
        }

        long loggedCount = HashLog.Read().Count;
        if (head is null ? lastSequence == 0 : (head.Matches(lastSequence, lastHash) && loggedCount >= lastSequence))
            return true;

        logger.AuditHeadMismatch(HeadFile.Path,
            head is null
                ? $"the file is missing while the table has {lastSequence} entries"
                : $"the file records {head.Count} entries ending in {head.Hash}, the table {lastSequence} ending in {lastHash}, "
                  + $"and the hash log {loggedCount}");
        return false;
    }

    private async Task<IAsyncDisposable> LockChainAsync(ComputeDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // A session lock, not a transaction lock: it must still be held while the head file is written after
            // the commit. If this process dies, PostgreSQL releases it with the connection.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
            return new AsyncRelease(async () =>
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            });
        }

        var lockFile = await AcquireFileLockAsync(HeadFile.Path + ".lock", cancellationToken);
        return new AsyncRelease(() =>
        {
            lockFile.Dispose();
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Opens the lock file with no sharing, which .NET on Unix backs with an exclusive <c>flock</c>, so other
    /// processes (and other opens in this one) wait until it is closed.
    /// </summary>
    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + FileLockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
    }
}

/// <summary>Filters of <see cref="AuditTrail.ListAsync"/>; a null filter matches every entry.</summary>
public sealed record AuditFilter(
    string? Actor,
    string? Action,
    string? Subject,
    DateTime? Since,
    DateTime? Until,
    long AfterSequence,
    int Limit);

/// <summary>The outcome of <see cref="AuditTrail.VerifyAsync"/>.</summary>
/// <param name="EntryCount">Entries checked and found sound before the first broken one, or all of them.</param>
/// <param name="FirstBrokenSequence">The first entry that fails a check; null when the chain is intact.</param>
public sealed record AuditVerification(
    bool IsIntact,
    long EntryCount,
    string LastHash,
    long? FirstBrokenSequence,
    string Reason,
    AuditHead? RecordedHead)
{
    public static AuditVerification Intact(long count, string lastHash, AuditHead? head) =>
        new(true, count, lastHash, null, count == 0 ? "The audit trail is empty." : $"All {count} entries are intact and match the head file.", head);

    public static AuditVerification Broken(long count, string lastHash, long firstBroken, string reason, AuditHead? head = null) =>
        new(false, count, lastHash, firstBroken, reason, head);
}
