using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Compute.Datasets;

/// <summary>
/// Registers datasets and keeps their loaded <see cref="PreparedDataset"/>s in memory by id. A dataset is
/// loaded and validated before anything is stored, so a rejected one leaves no row and no artifact.
/// </summary>
public sealed class DatasetCatalog(
    IDbContextFactory<ComputeDbContext> dbFactory,
    ArtifactStore artifacts,
    AuditTrail audit,
    TimeProvider time,
    ILogger<DatasetCatalog> logger)
{
    // Prepared datasets are immutable, so one instance serves every job and request. The key is the id and the
    // files' SHA-256 hashes, because an erasure gives a dataset new files.
    private readonly ConcurrentDictionary<string, Lazy<Task<PreparedDataset>>> _prepared = new();

    /// <summary>Creates an empty staged file for an upload.</summary>
    public StagedFile CreateStagedFile() => artifacts.CreateStagedFile();

    /// <summary>Copies a file into the staging folder, hashing it on the way.</summary>
    public async Task<StagedFile> StageAsync(string sourcePath, CancellationToken cancellationToken)
    {
        var staged = artifacts.CreateStagedFile();
        try
        {
            await using var source = File.OpenRead(sourcePath);
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                await staged.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await staged.CompleteAsync(cancellationToken);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads completed staged files with the engine, then stores them as artifacts, inserts the dataset and
    /// records it in the audit trail as done by <paramref name="actor"/>. Throws ALREADY_EXISTS for a taken
    /// name and the engine's error for a file it rejects.
    /// </summary>
    public async Task<DatasetRow> RegisterAsync(
        string actor,
        DatasetDefinition definition,
        StagedFile train,
        string trainSource,
        StagedFile? test,
        string? testSource,
        CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await FindNameAsync(db, definition.Name, cancellationToken) is { } taken)
                throw NameTaken(taken);
        }

        var prepared = await Task.Run(() => Load(definition, train.Path, trainSource, test?.Path, testSource), cancellationToken);

        // Reject here, before anything is stored, a dataset whose splits no model could be trained and ranked on.
        prepared.ValidateForTraining();
        var row = new DatasetRow
        {
            Id = Guid.CreateVersion7().ToString(),
            Name = definition.Name,
            // The loaded definition, because the loader may fill in what the request left empty.
            DefinitionJson = prepared.Definition.ToJson(),
            TrainSha256 = train.Sha256!,
            TestSha256 = test?.Sha256,
            TrainRows = prepared.Train.Count,
            ValidationRows = prepared.Validation.Count,
            TestRows = prepared.Test.Count,
            DroppedRows = prepared.DroppedRows,
            ExcludedRows = prepared.ExcludedRows,
            FeatureCount = CountFeatures(prepared),
            GroupsJson = JsonSerializer.Serialize(prepared.Groups),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };

        artifacts.Commit(train);
        if (test is not null)
            artifacts.Commit(test);

        // The artifacts are in place, so the row is inserted even if the caller goes away now.
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            db.Datasets.Add(row);
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateException)
            {
                // NOTE: a registration that loses this race keeps its artifacts; they are content-addressed,
                // so they only cost disk space.
                if (await FindNameAsync(definition.Name, CancellationToken.None) is { } taken)
                    throw NameTaken(taken);
                throw;
            }
        }

        _prepared[CacheKey(row)] = new Lazy<Task<PreparedDataset>>(Task.FromResult(prepared));
        logger.DatasetRegistered(row.Id, row.Name, row.TrainRows, row.ValidationRows, row.TestRows);
        await audit.TryAppendAsync(actor, AuditActions.DatasetRegister, $"dataset/{row.Id}", new Dictionary<string, object?>
        {
            ["name"] = row.Name,
            ["train_sha256"] = row.TrainSha256,
            ["test_sha256"] = row.TestSha256,
            ["train_rows"] = row.TrainRows,
            ["validation_rows"] = row.ValidationRows,
            ["test_rows"] = row.TestRows,
        });
        return row;
    }

    /// <summary>Finds a dataset by id or name, or throws NOT_FOUND naming the field.</summary>
    public async Task<DatasetRow> ResolveAsync(string idOrName, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idOrName))
            throw RpcErrors.InvalidArgument(field, $"{field} is empty; pass a dataset id or name.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Datasets.AsNoTracking()
                   .FirstOrDefaultAsync(d => d.Id == idOrName || d.Name == idOrName, cancellationToken)
               ?? throw RpcErrors.NotFound($"Dataset '{idOrName}' ({field}) was not found; 'unlearn datasets list' (ListDatasets) shows the registered ones.");
    }

    public async Task<IReadOnlyList<DatasetRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Datasets.AsNoTracking().OrderBy(d => d.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Datasets.AnyAsync(cancellationToken);
    }

    /// <summary>Returns the loaded dataset, reading its artifacts (hash-checked) on first use.</summary>
    public Task<PreparedDataset> GetPreparedAsync(DatasetRow row)
    {
        string key = CacheKey(row);
        var lazy = _prepared.GetOrAdd(key, _ => new Lazy<Task<PreparedDataset>>(() => LoadStoredAsync(row)));
        var task = lazy.Value;
        if (task.IsFaulted)
            _prepared.TryRemove(new KeyValuePair<string, Lazy<Task<PreparedDataset>>>(key, lazy));
        return task;
    }

    /// <summary>
    /// Reads uploaded rows with the dataset's definition: the CSV, which must start with a header row, is loaded as
    /// the dataset's test file, so its columns, labels and derived columns are checked and computed exactly as for
    /// the dataset itself. The stored training file was valid, so every error is about the rows and names
    /// <paramref name="field"/>; the message names the column or line.
    /// </summary>
    public async Task<TabularSplit> LoadExternalRowsAsync(DatasetRow row, ReadOnlyMemory<byte> csv, string field, CancellationToken cancellationToken)
    {
        var definition = DatasetMapper.DefinitionFromJson(row.DefinitionJson);
        byte[] train = await artifacts.ReadVerifiedAsync(row.TrainSha256, cancellationToken);
        byte[] rows = csv.ToArray();
        return await Task.Run(() =>
        {
            using var trainStream = new MemoryStream(train, writable: false);
            using var rowStream = new MemoryStream(rows, writable: false);
            try
            {
                return DatasetLoader.Load(definition, trainStream, $"{row.Name} train file", rowStream, field, testHasHeader: true).Test;
            }
            catch (EngineException error) when (error.Field != field)
            {
                throw new EngineException(error.Kind, field, error.Message, error.Value);
            }
        }, cancellationToken);
    }

    private async Task<PreparedDataset> LoadStoredAsync(DatasetRow row)
    {
        var definition = DatasetMapper.DefinitionFromJson(row.DefinitionJson);
        byte[] train = await artifacts.ReadVerifiedAsync(row.TrainSha256, CancellationToken.None);
        byte[]? test = row.TestSha256 is null ? null : await artifacts.ReadVerifiedAsync(row.TestSha256, CancellationToken.None);
        return await Task.Run(() =>
        {
            using var trainStream = new MemoryStream(train, writable: false);
            using var testStream = test is null ? null : new MemoryStream(test, writable: false);
            return DatasetLoader.Load(definition, trainStream, $"{row.Name} train file", testStream,
                testStream is null ? null : $"{row.Name} test file");
        });
    }

    private static PreparedDataset Load(DatasetDefinition definition, string trainPath, string trainSource, string? testPath, string? testSource)
    {
        using var train = File.OpenRead(trainPath);
        if (testPath is null)
            return DatasetLoader.Load(definition, train, trainSource);

        using var test = File.OpenRead(testPath);
        return DatasetLoader.Load(definition, train, trainSource, test, testSource);
    }

    /// <summary>Counts the encoded inputs of a default model (one-hot levels plus numeric columns).</summary>
    private static long CountFeatures(PreparedDataset data)
    {
        var columns = ModelTrainer.InputColumns(data, new ModelSettings());
        return FeatureEncoder.Fit(data.Train, columns, data.NumericColumns).FeatureCount;
    }

    /// <summary>Keeps a dataset's loaded new version, so the first job after an erasure does not read it again.</summary>
    internal void CachePrepared(DatasetRow row, PreparedDataset prepared)
    {
        foreach (string stale in _prepared.Keys.Where(k => k.StartsWith(row.Id + ":", StringComparison.Ordinal)))
            _prepared.TryRemove(stale, out _);
        _prepared[CacheKey(row)] = new Lazy<Task<PreparedDataset>>(Task.FromResult(prepared));
    }

    private static string CacheKey(DatasetRow row) => $"{row.Id}:{row.TrainSha256}:{row.TestSha256}";

    private async Task<string?> FindNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await FindNameAsync(db, name, cancellationToken);
    }

    /// <summary>
    /// Returns the name of a dataset whose name equals <paramref name="name"/> ignoring letter case, or null. Names that
    /// differ only in case would read as the same dataset in reviews and in the audit trail.
    /// </summary>
    private static async Task<string?> FindNameAsync(ComputeDbContext db, string name, CancellationToken cancellationToken)
    {
        string lower = name.ToLowerInvariant();
        return await db.Datasets.Where(d => d.Name.ToLower() == lower).Select(d => d.Name).FirstOrDefaultAsync(cancellationToken);
    }

    private static Grpc.Core.RpcException NameTaken(string existing) =>
        RpcErrors.AlreadyExists($"A dataset named '{existing}' already exists (dataset names are compared ignoring case); choose another spec.name.");
}
