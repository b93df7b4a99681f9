using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// A SQLite database made by the server before it used migrations (its schema made with EnsureCreated, then a
/// German Credit dataset, a model and a debiased version added through the CLI), dumped to
/// <c>Legacy/ensure-created.sql</c>, with the version's weights in <c>Legacy/artifacts</c>.
/// </summary>
public sealed class LegacyDatabaseTests : IDisposable
{
    private const string LegacyDatasetName = "persist-legacy-german-9ca68b12";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("unlearn-legacy-tests-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Start_DatabaseMadeBeforeMigrations_KeepsItsRows()
    {
        await CreateLegacyDataAsync(dump => dump);
        await using var app = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: false);

        await app.StartAsync();
        using var channel = ComputeServerFixture.CreateChannel(app, _dataDirectory);
        var datasets = await new DatasetService.DatasetServiceClient(channel).ListDatasetsAsync(new ListDatasetsRequest());
        var jobs = await new JobService.JobServiceClient(channel).ListJobsAsync(new ListJobsRequest());
        var models = new ModelService.ModelServiceClient(channel);
        var versions = await models.ListVersionsAsync(new ListVersionsRequest());
        var debiased = versions.Versions.Single(v => v.ParentVersionId != "");
        var report = await models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = debiased.Id });
        var verification = await new AuditService.AuditServiceClient(channel).VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.Equal([LegacyDatasetName], datasets.Datasets.Select(d => d.Spec.Name));
        Assert.Equal([JobState.Succeeded, JobState.Succeeded], jobs.Jobs.Select(j => j.State));
        Assert.Equal(2, versions.Versions.Count);
        Assert.Equal(debiased.TestReport.Accuracy, report.Accuracy, 6);
        Assert.True(verification.Intact, verification.Reason);
        var applied = await AppliedMigrationsAsync();
        Assert.Equal(["20261204225220_InitialCreate", "20261204225413_AddAuditTrail"], applied[..2]);
        Assert.Equal(KnownMigrations(app), applied);
    }

    [Fact]
    public async Task ListVersions_StoredWithoutIntervals_GiveReason()
    {
        await CreateLegacyDataAsync(dump => dump);
        await using var app = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: false);

        await app.StartAsync();
        using var channel = ComputeServerFixture.CreateChannel(app, _dataDirectory);
        var models = new ModelService.ModelServiceClient(channel);
        var versions = await models.ListVersionsAsync(new ListVersionsRequest());
        var evaluated = await models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = versions.Versions[0].Id });

        Assert.Equal(2, versions.Versions.Count);
        foreach (var version in versions.Versions)
        {
            var intervals = version.TestReport.Intervals;
            Assert.Equal(0, intervals.Resamples);
            Assert.Equal(6, intervals.Metrics.Count);
            Assert.All(intervals.Metrics, m => Assert.False(m.HasLower || m.HasUpper, $"{m.Metric} has a bound"));
            Assert.All(intervals.Metrics, m => Assert.Equal(
                "not stored: the version was made before the server stored intervals with its test report", m.UndefinedReason));
        }

        // Evaluating the version again computes its intervals.
        Assert.Equal(1000, evaluated.Intervals.Resamples);
        Assert.True(evaluated.Intervals.Metrics.Single(m => m.Metric == "accuracy").HasLower);
    }

    [Fact]
    public async Task Start_DatabaseMadeBeforeMigrations_TrainsAndAudits()
    {
        await CreateLegacyDataAsync(dump => dump);
        await using var app = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: false);

        await app.StartAsync();
        using var channel = ComputeServerFixture.CreateChannel(app, _dataDirectory);
        var jobs = new JobService.JobServiceClient(channel);
        var job = await jobs.TrainModelAsync(new TrainModelRequest { Dataset = LegacyDatasetName, Settings = new ModelSettings { Epochs = 1 } });
        var finished = await JobWatcher.WaitForEndAsync(jobs, job.Id);
        var audit = new AuditService.AuditServiceClient(channel);
        var entries = await audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"job/{job.Id}" });
        var verification = await audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(["job.submit", "job.start", "job.end"], entries.Entries.Select(e => e.Action));
        Assert.True(verification.Intact, verification.Reason);
    }

    [Fact]
    public async Task Start_DatabaseWithoutCounterfactualTable_CreatesIt()
    {
        // Servers before counterfactual sets made no counterfactual_sets table.
        await CreateLegacyDataAsync(dump => string.Join('\n', RemoveStatements(dump, "counterfactual_sets")));
        await using var app = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: false);

        await app.StartAsync();
        using var channel = ComputeServerFixture.CreateChannel(app, _dataDirectory);
        var sets = await new CounterfactualService.CounterfactualServiceClient(channel)
            .ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest());

        Assert.Empty(sets.Sets);
        Assert.Contains("IX_counterfactual_sets_DatasetId_Status", await QueryNamesAsync("SELECT name FROM sqlite_master WHERE type = 'index'"));
    }

    [Fact]
    public async Task Start_LegacyTableMissingColumn_FailsNamingIt()
    {
        await CreateLegacyDataAsync(dump => dump + "\nALTER TABLE jobs DROP COLUMN \"Error\";\n");
        await using var app = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: false);

        var error = await Assert.ThrowsAsync<StartupException>(() => app.StartAsync());

        Assert.Contains("table jobs lacks the column(s) Error", error.Message);
        Assert.Contains("Move the file away", error.Message);
        Assert.DoesNotContain("__EFMigrationsHistory", await QueryNamesAsync("SELECT name FROM sqlite_master WHERE type = 'table'"));
    }

    /// <summary>Creates unlearn.db from the dump (after <paramref name="change"/>) and puts its artifacts in place.</summary>
    private async Task CreateLegacyDataAsync(Func<string, string> change)
    {
        string legacy = Path.Combine(AppContext.BaseDirectory, "Legacy");
        string dump = change(await File.ReadAllTextAsync(Path.Combine(legacy, "ensure-created.sql")));
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "unlearn.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = dump;
            await command.ExecuteNonQueryAsync();
        }

        // The dataset was uploaded from the shipped German Credit file, so that file is its training artifact.
        var artifacts = Directory.EnumerateFiles(Path.Combine(legacy, "artifacts"))
            .Append(Path.Combine(DatasetProfiles.DataFolder, "german-credit.csv"));
        foreach (string file in artifacts)
        {
            string sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));
            string target = Path.Combine(_dataDirectory, "artifacts", sha256[..2], sha256);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static IEnumerable<string> RemoveStatements(string dump, string table)
    {
        bool skipping = false;
        foreach (string line in dump.Split('\n'))
        {
            if (line.StartsWith($"CREATE TABLE IF NOT EXISTS \"{table}\"", StringComparison.Ordinal))
                skipping = true;
            if (!skipping && !line.Contains($"ON \"{table}\"", StringComparison.Ordinal))
                yield return line;
            if (skipping && line.StartsWith(");", StringComparison.Ordinal))
                skipping = false;
        }
    }

    /// <summary>Returns every SQLite migration the server's assembly contains, in order.</summary>
    private static List<string> KnownMigrations(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        using var db = app.Services.GetRequiredService<IDbContextFactory<SqliteComputeDbContext>>().CreateDbContext();
        return db.Database.GetMigrations().ToList();
    }

    private async Task<List<string>> AppliedMigrationsAsync() =>
        await QueryNamesAsync("SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId");

    private async Task<List<string>> QueryNamesAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "unlearn.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            names.Add(reader.GetString(0));
        return names;
    }
}
