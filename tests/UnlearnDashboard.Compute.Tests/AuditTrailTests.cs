using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// The audit trail on a fresh server and database for every test: what is recorded, the triggers, and the
/// three kinds of tampering (an edited row, a chain recomputed after an edit, deleted last entries).
/// </summary>
public abstract class AuditTrailTests(ComputeServerFixture server) : IAsyncLifetime
{
    /// <summary>Entries written on the server's first start: the first users and their keys.</summary>
    private int _startEntries;

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        await using var db = await CreateDbContextAsync();
        _startEntries = await db.AuditEntries.CountAsync();
    }

    public Task DisposeAsync() => server.DisposeAsync();

    [Fact]
    public async Task Operations_AreRecordedInChainOrder()
    {
        var dataset = await RegisterGermanAsync();
        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest());
        await server.ComplianceCounterfactuals.RejectCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Comment = "Too few rows." });
        await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = set.Id, PageSize = 10 });
        var job = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 1 } });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        var all = (await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest())).Entries;
        var entries = all.Skip(_startEntries).ToList();
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(
            ["dataset.register", "counterfactual_set.generate", "counterfactual_set.reject", "rows.view", "job.submit", "job.start", "job.end"],
            entries.Select(e => e.Action));
        Assert.Equal(["engineer", "engineer", "compliance", "engineer", "engineer", "system", "system"], entries.Select(e => e.Actor));
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.Equal($"dataset/{dataset.Id}", entries[0].Subject);
        Assert.Contains(dataset.TrainSha256, entries[0].DetailsJson);
        Assert.Contains(set.ArtifactSha256, entries[1].DetailsJson);
        Assert.DoesNotContain("Too few rows", entries[2].DetailsJson);
        Assert.Equal($"job/{job.Id}", entries[^1].Subject);
        Assert.Contains(finished.Result.Train.VersionId, entries[^1].DetailsJson);
        Assert.All(all.Skip(1).Zip(all), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        Assert.Equal(AuditHash.Genesis, all[0].PreviousHash);
        Assert.True(verification.Intact, verification.Reason);
        Assert.Equal(all.Count, verification.EntryCount);
        Assert.Equal(all[^1].Hash, verification.RecordedHash);
    }

    [Fact]
    public async Task ListAuditEntries_Filters_MatchEveryFilter()
    {
        await RegisterGermanAsync();
        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest());
        await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = set.Id });

        var byAction = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "rows.view" });
        var bySubject = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"counterfactual_set/{set.Id}" });
        var firstPage = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Actor = "engineer", PageSize = 2 });
        var secondPage = await server.Audit.ListAuditEntriesAsync(
            new ListAuditEntriesRequest { Actor = "engineer", PageSize = 2, PageToken = firstPage.NextPageToken });

        Assert.Equal(["rows.view"], byAction.Entries.Select(e => e.Action));
        Assert.Equal(["counterfactual_set.generate", "rows.view"], bySubject.Entries.Select(e => e.Action));
        Assert.Equal([_startEntries + 1L, _startEntries + 2L], firstPage.Entries.Select(e => e.Sequence));
        Assert.Equal([_startEntries + 3L], secondPage.Entries.Select(e => e.Sequence));
        Assert.Equal("", secondPage.NextPageToken);
    }

    [Theory]
    [InlineData("update")]
    [InlineData("delete")]
    public async Task Database_ChangeToEntry_IsRejected(string change)
    {
        await RegisterGermanAsync();
        await using var db = await CreateDbContextAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => change == "update"
            ? db.AuditEntries.ExecuteUpdateAsync(update => update.SetProperty(e => e.Actor, "mallory"))
            : db.AuditEntries.ExecuteDeleteAsync());

        Assert.Contains("append-only", error.Message);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Actor == "engineer"));
    }

    [Fact]
    public async Task Verify_DroppedTriggers_IsBroken()
    {
        await CreateEntriesAsync();
        await using var db = await CreateDbContextAsync();
        await DropTriggersAsync(db);

        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(verification.Intact);
        Assert.Contains("append-only triggers audit_entries_reject_update, audit_entries_reject_delete", verification.Reason);
        Assert.Contains("are missing", verification.Reason);
    }

    [Fact]
    public async Task Verify_EditedEntry_NamesThatEntry()
    {
        await CreateEntriesAsync();
        await using var db = await CreateDbContextAsync();
        await DropTriggersAsync(db);

        long edited = _startEntries + 2;
        await db.AuditEntries.Where(e => e.Sequence == edited).ExecuteUpdateAsync(update => update.SetProperty(e => e.Actor, "mallory"));
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(verification.Intact);
        Assert.Equal(edited, verification.FirstBrokenSequence);
        Assert.Equal(edited - 1, verification.EntryCount);
        Assert.Contains("changed after it was written", verification.Reason);
    }

    [Fact]
    public async Task Verify_ChainRecomputedAfterEdit_NamesEditedEntry()
    {
        int count = await CreateEntriesAsync();
        await using var db = await CreateDbContextAsync();
        await DropTriggersAsync(db);

        // Edit the second entry after the start's and recompute every hash from there on, so that each entry checks
        // out on its own.
        var entries = await db.AuditEntries.OrderBy(e => e.Sequence).ToListAsync();
        int edited = _startEntries + 1;
        entries[edited].Actor = "mallory";
        for (int i = edited; i < entries.Count; i++)
        {
            entries[i].PreviousHash = entries[i - 1].Hash;
            entries[i].Hash = AuditHash.Compute(entries[i]);
        }

        await db.SaveChangesAsync();
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(verification.Intact);
        Assert.Equal(edited, verification.EntryCount);
        Assert.Equal(edited + 1, verification.FirstBrokenSequence);
        Assert.Contains($"recomputed from entry {edited + 1}", verification.Reason);
        Assert.Equal(count, verification.RecordedCount);
        Assert.NotEqual(entries[^1].Hash, verification.RecordedHash);
    }

    [Fact]
    public async Task Verify_RecomputedAndHashLogDeleted_NamesLastEntry()
    {
        int count = await CreateEntriesAsync();
        await using var db = await CreateDbContextAsync();
        await DropTriggersAsync(db);
        var entries = await db.AuditEntries.OrderBy(e => e.Sequence).ToListAsync();
        int edited = _startEntries + 1;
        entries[edited].Actor = "mallory";
        for (int i = edited; i < entries.Count; i++)
        {
            entries[i].PreviousHash = entries[i - 1].Hash;
            entries[i].Hash = AuditHash.Compute(entries[i]);
        }

        await db.SaveChangesAsync();
        File.Delete(server.Services.GetRequiredService<AuditTrail>().HashLog.Path);
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        // Without the hash log only the head is recorded outside, so the last entry is the first shown to differ.
        Assert.False(verification.Intact);
        Assert.Equal(count, verification.FirstBrokenSequence);
        Assert.Contains("recomputed at or before entry", verification.Reason);
    }

    [Fact]
    public async Task Verify_DeletedLastEntries_NamesFirstMissing()
    {
        int count = await CreateEntriesAsync();
        await using var db = await CreateDbContextAsync();
        await DropTriggersAsync(db);

        await db.AuditEntries.Where(e => e.Sequence > count - 2).ExecuteDeleteAsync();
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(verification.Intact);
        Assert.Equal(count - 1, verification.FirstBrokenSequence);
        Assert.Equal(count - 2, verification.EntryCount);
        Assert.Equal(count, verification.RecordedCount);
        Assert.Contains("deleted", verification.Reason);
    }

    [Fact]
    public async Task Append_AfterTruncation_KeepsTheEvidence()
    {
        int count = await CreateEntriesAsync();
        await using var db = await CreateDbContextAsync();
        await DropTriggersAsync(db);
        await db.AuditEntries.Where(e => e.Sequence > count - 2).ExecuteDeleteAsync();

        var job = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 1 } });
        await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(verification.Intact);
        Assert.Equal(count, verification.RecordedCount);
        Assert.Contains(await db.AuditEntries.Select(e => e.Subject).ToListAsync(), subject => subject == $"job/{job.Id}");
    }

    [Fact]
    public async Task Verify_HeadFileDeleted_IsDetected()
    {
        int count = await CreateEntriesAsync();
        var audit = server.Services.GetRequiredService<AuditTrail>();

        File.Delete(audit.HeadFile.Path);
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.False(verification.Intact);
        Assert.Equal(count, verification.FirstBrokenSequence);
        Assert.Contains("missing", verification.Reason);
    }

    [Fact]
    public async Task Append_TwoServersOneDatabase_FormOneChain()
    {
        const int AppendsPerServer = 25;
        await using var second = ComputeServerFixture.CreateServer(server.DataDirectory, seedDemo: false, server.DatabaseArgs());

        // A second server on a SQLite data directory refuses to start, so there the second audit trail runs
        // unstarted, on the database that the first server has migrated.
        if (server.UsesPostgres)
            await second.StartAsync();
        var trails = new[] { server.Services.GetRequiredService<AuditTrail>(), second.Services.GetRequiredService<AuditTrail>() };

        // Each server has its own in-process lock, so only the database or file lock keeps the chain from forking.
        await Task.WhenAll(trails.SelectMany((trail, index) => Enumerable.Range(0, AppendsPerServer).Select(i => Task.Run(() =>
            trail.AppendAsync(AuditActors.System, "test.append", $"server/{index}", new Dictionary<string, object?> { ["i"] = i }, CancellationToken.None)))));
        var verification = await server.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        if (server.UsesPostgres)
            await second.StopAsync();

        Assert.True(verification.Intact, verification.Reason);
        Assert.Equal(_startEntries + 2 * AppendsPerServer, verification.EntryCount);
        Assert.Equal(_startEntries + 2 * AppendsPerServer, verification.RecordedCount);
    }

    [Fact]
    public async Task ListAuditEntries_PageSizeTooLarge_IsInvalidArgument()
    {
        var error = await RpcAssert.FailsAsync(() =>
            server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { PageSize = 1001 }).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["page_size"], RpcAssert.ViolatedFields(error));
    }

    [Theory]
    [InlineData("since", -62135596801L, 0)]
    [InlineData("until", 4611686018427387904L, 0)]
    [InlineData("since", 0L, -5)]
    public async Task ListAuditEntries_TimeOutOfRange_IsInvalidArgument(string field, long seconds, int nanos)
    {
        var time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = seconds, Nanos = nanos };
        var request = field == "since" ? new ListAuditEntriesRequest { Since = time } : new ListAuditEntriesRequest { Until = time };

        var error = await RpcAssert.FailsAsync(() => server.Audit.ListAuditEntriesAsync(request).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
        Assert.Contains(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Status.Detail);
    }

    /// <summary>Registers German Credit and generates, approves and reads a counterfactual set; returns the number of entries.</summary>
    private async Task<int> CreateEntriesAsync()
    {
        await RegisterGermanAsync();
        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest());
        await server.ComplianceCounterfactuals.ApproveCounterfactualSetAsync(new ReviewCounterfactualSetRequest { SetId = set.Id });
        await server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = set.Id });
        return _startEntries + 4;
    }

    private async Task<Dataset> RegisterGermanAsync() =>
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german"),
            TrainPath = "german-credit.csv",
        });

    private static GenerateCounterfactualSetRequest GermanSetRequest() => new()
    {
        Dataset = "german",
        SensitiveValueMap = { ["A201"] = "A202", ["A202"] = "A201" },
        MaxRows = 50,
        Seed = 3,
        RequestedBy = "engineer",
    };

    private async Task<ComputeDbContext> CreateDbContextAsync() =>
        await server.Services.GetRequiredService<IDbContextFactory<ComputeDbContext>>().CreateDbContextAsync();

    /// <summary>Drops the append-only triggers, as someone with direct access to the database could.</summary>
    private async Task DropTriggersAsync(ComputeDbContext db) =>
        await db.Database.ExecuteSqlRawAsync(server.UsesPostgres ? AuditTriggers.DropPostgres : AuditTriggers.DropSqlite);
}

public sealed class AuditTrailSqliteTests() : AuditTrailTests(new ComputeServerFixture());

public sealed class AuditTrailPostgresTests() : AuditTrailTests(new PostgresComputeServerFixture());
