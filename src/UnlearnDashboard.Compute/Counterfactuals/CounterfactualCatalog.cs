using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Counterfactuals;

/// <summary>
/// Generates, stores and reviews counterfactual sets. A set's CSV is written as an artifact before its row
/// is inserted, and every status change is one conditional update, so a set is never half-stored and two
/// reviewers cannot both decide it.
/// </summary>
public sealed class CounterfactualCatalog(
    IDbContextFactory<ComputeDbContext> dbFactory,
    ArtifactStore artifacts,
    DatasetCatalog datasets,
    AuditTrail audit,
    TimeProvider time,
    ILogger<CounterfactualCatalog> logger)
{
    public const string TrainingRowsSource = "training rows";

    /// <summary>Longest review comment, in characters.</summary>
    public const int MaxCommentLength = 2000;

    public const string UploadedRowsSource = "uploaded rows";

    /// <summary>
    /// Generates a set from the request's spec on the dataset's training split, or on the uploaded rows, and
    /// stores it as PENDING, recorded in the audit trail as done by <paramref name="actor"/>. Throws
    /// INVALID_ARGUMENT naming the field for a bad spec.
    /// </summary>
    public async Task<CounterfactualSetRow> GenerateAsync(
        string actor,
        DatasetRow dataset,
        Proto.GenerateCounterfactualSetRequest request,
        CancellationToken cancellationToken)
    {
        string requestedBy = RequireName(request.RequestedBy, "requested_by");
        var data = await datasets.GetPreparedAsync(dataset).WaitAsync(cancellationToken);
        request = WithSourceColumnMap(request, data);
        var spec = request.ToEngineSpec(data.Definition.SensitiveColumn);

        CounterfactualSet set;
        if (request.ExternalRowsCsv.IsEmpty)
        {
            set = await Task.Run(() => CounterfactualGenerator.FromTraining(spec, data, cancellationToken), cancellationToken);
        }
        else
        {
            var rows = await datasets.LoadExternalRowsAsync(dataset, request.ExternalRowsCsv.Memory, "external_rows_csv", cancellationToken);
            set = await Task.Run(() => CounterfactualGenerator.FromExternalRows(spec, rows, data, cancellationToken), cancellationToken);
        }

        var stored = request.Clone();
        stored.ExternalRowsCsv = ByteString.Empty;
        return await StoreAsync(actor, dataset, set, stored, requestedBy, request.ExternalRowsCsv.IsEmpty ? TrainingRowsSource : UploadedRowsSource,
            cancellationToken);
    }

    /// <summary>
    /// Returns the request with a map of the column the sensitive column is derived from, when the dataset derives it
    /// from a text column and the request maps that column in no other way. The derived column and its source must
    /// change together, or a counterfactual row would read, say, female with a male marital-status code. The map is
    /// stored with the set, so the reviewer sees it (see <see cref="CounterfactualDefaults.SourceColumnMap"/>).
    /// </summary>
    private static Proto.GenerateCounterfactualSetRequest WithSourceColumnMap(Proto.GenerateCounterfactualSetRequest request, PreparedDataset data)
    {
        if (CounterfactualDefaults.SourceColumnMap(data, request.SensitiveValueMap) is not { } source
            || request.ProxyMaps.Any(map => map.Column == source.Column))
        {
            return request;
        }

        var withSource = request.Clone();
        withSource.ProxyMaps.Add(new Proto.ColumnValueMap { Column = source.Column, Values = { source.Values.ToDictionary() } });
        return withSource;
    }

    /// <summary>Generates and stores a set from an engine spec, as the demo seeder does for the default specs.</summary>
    public async Task<CounterfactualSetRow> GenerateAsync(
        string actor,
        DatasetRow dataset,
        CounterfactualSpec spec,
        string requestedBy,
        CancellationToken cancellationToken)
    {
        var data = await datasets.GetPreparedAsync(dataset).WaitAsync(cancellationToken);
        var set = await Task.Run(() => CounterfactualGenerator.FromTraining(spec, data, cancellationToken), cancellationToken);
        var request = spec.ToProto(dataset.Id, requestedBy);
        return await StoreAsync(actor, dataset, set, request, RequireName(requestedBy, "requested_by"), TrainingRowsSource, cancellationToken);
    }

    /// <summary>Finds a set by id, or throws NOT_FOUND naming the field.</summary>
    public async Task<CounterfactualSetRow> GetAsync(string setId, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(setId))
            throw RpcErrors.InvalidArgument(field, $"{field} is empty; pass the id that GenerateCounterfactualSet returned.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CounterfactualSets.AsNoTracking().FirstOrDefaultAsync(s => s.Id == setId, cancellationToken)
               ?? throw RpcErrors.NotFound($"Counterfactual set '{setId}' ({field}) was not found; 'unlearn counterfactuals list' (ListCounterfactualSets) shows the existing ones.");
    }

    /// <summary>Lists sets, newest first, optionally of one dataset and in one status.</summary>
    public async Task<IReadOnlyList<CounterfactualSetRow>> ListAsync(
        string? datasetId,
        Proto.CounterfactualSetStatus? status,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.CounterfactualSets.AsNoTracking();
        if (datasetId is not null)
            query = query.Where(s => s.DatasetId == datasetId);
        if (status is { } wanted)
            query = query.Where(s => s.Status == (int)wanted);
        return await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Returns the dataset's most recently approved set, or null when it has none.</summary>
    public async Task<CounterfactualSetRow?> FindLatestApprovedAsync(string datasetId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CounterfactualSets.AsNoTracking()
            .Where(s => s.DatasetId == datasetId && s.Status == (int)Proto.CounterfactualSetStatus.Approved)
            .OrderByDescending(s => s.ReviewedAt)
            .ThenByDescending(s => s.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Approves or rejects a PENDING set. Throws INVALID_ARGUMENT for a missing reviewer (or a rejection
    /// without a comment) and FAILED_PRECONDITION when the reviewer requested the set or the set is no
    /// longer PENDING. The decision is recorded in the audit trail as done by <paramref name="actor"/>.
    /// </summary>
    public async Task<CounterfactualSetRow> ReviewAsync(
        string actor,
        string setId,
        string reviewer,
        string comment,
        Proto.CounterfactualSetStatus decision,
        CancellationToken cancellationToken)
    {
        string reviewerName = RequireName(reviewer, "reviewer");
        string trimmedComment = comment.Trim();
        if (trimmedComment.Length > MaxCommentLength)
            throw RpcErrors.InvalidArgument("comment", $"comment has {trimmedComment.Length} characters; shorten it to at most {MaxCommentLength}.");
        if (decision == Proto.CounterfactualSetStatus.Rejected && trimmedComment.Length == 0)
            throw RpcErrors.InvalidArgument("comment", "comment is empty; say why the set is rejected, so its requester can fix it.");

        var set = await GetAsync(setId, "set_id", cancellationToken);
        if (PersonKey(set.RequestedBy) == PersonKey(reviewerName))
        {
            throw RpcErrors.FailedPrecondition("reviewer",
                $"Counterfactual set {set.Id} was requested by {set.RequestedBy}, who cannot also review it; ask another reviewer.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        string? storedComment = trimmedComment.Length == 0 ? null : trimmedComment;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // The status condition makes the check and the change one statement, so of two concurrent reviews
        // exactly one changes the row.
        int changed = await db.CounterfactualSets
            .Where(s => s.Id == set.Id && s.Status == (int)Proto.CounterfactualSetStatus.Pending)
            .ExecuteUpdateAsync(update => update
                    .SetProperty(s => s.Status, (int)decision)
                    .SetProperty(s => s.ReviewedBy, reviewerName)
                    .SetProperty(s => s.ReviewComment, storedComment)
                    .SetProperty(s => s.ReviewedAt, now),
                CancellationToken.None);

        var current = await db.CounterfactualSets.AsNoTracking().SingleAsync(s => s.Id == set.Id, CancellationToken.None);
        if (changed == 0)
        {
            throw RpcErrors.FailedPrecondition("set_id",
                $"Counterfactual set {set.Id} is {StatusName(current.Status)}, not PENDING; only a pending set can be approved or rejected.");
        }

        logger.CounterfactualSetReviewed(current.Id, StatusName(current.Status), reviewerName);
        string action = decision == Proto.CounterfactualSetStatus.Approved ? AuditActions.CounterfactualApprove : AuditActions.CounterfactualReject;
        await audit.TryAppendAsync(actor, action, Subject(current.Id), new Dictionary<string, object?>
        {
            ["reviewer"] = reviewerName,
            ["requested_by"] = current.RequestedBy,
            ["artifact_sha256"] = current.ArtifactSha256,
            ["comment_sha256"] = storedComment is null ? null : Sha256Hex(storedComment),
        });
        return current;
    }

    /// <summary>
    /// Reads a set's rows from its artifact, checking the artifact's SHA-256. Throws FAILED_PRECONDITION for a set
    /// that an erasure withdrew, whose rows are deleted.
    /// </summary>
    public async Task<CounterfactualSet> ReadSetAsync(CounterfactualSetRow row, DatasetRow dataset, CancellationToken cancellationToken)
    {
        if (row.Status == (int)Proto.CounterfactualSetStatus.Withdrawn)
        {
            throw RpcErrors.FailedPrecondition("counterfactual_set_id",
                $"Counterfactual set {row.Id} was withdrawn by erasure {row.WithdrawnByErasureId}, because it copied erased rows, so its rows cannot be read.");
        }

        byte[] csv = await artifacts.ReadVerifiedAsync(row.ArtifactSha256, cancellationToken);
        var definition = DatasetMapper.DefinitionFromJson(dataset.DefinitionJson);
        using var stream = new MemoryStream(csv, writable: false);
        return CounterfactualSet.ReadCsv(stream, definition.SensitiveColumn, $"counterfactual set {row.Id}");
    }

    /// <summary>
    /// Checks that the audit trail records the approval that an APPROVED set's row shows: an approval entry of the
    /// set by its stored reviewer, for its stored artifact, by someone other than its requester. Throws
    /// FAILED_PRECONDITION naming <paramref name="field"/> when none does, because the row was then changed
    /// outside the server, for example by editing the database.
    /// </summary>
    public async Task RequireRecordedApprovalAsync(CounterfactualSetRow set, string field, CancellationToken cancellationToken)
    {
        var approvals = await audit.ListAsync(
            new AuditFilter(null, AuditActions.CounterfactualApprove, Subject(set.Id), null, null, 0, 100), cancellationToken);
        if (approvals.Any(entry => RecordsApprovalOf(entry, set)))
            return;

        logger.CounterfactualApprovalNotRecorded(set.Id, set.ReviewedBy ?? "", set.ArtifactSha256);
        throw RpcErrors.FailedPrecondition(field,
            $"Counterfactual set {set.Id} is APPROVED in the database, but the audit trail records no approval of its rows " +
            $"(artifact {set.ArtifactSha256}) by {set.ReviewedBy ?? "anyone"}, so the row was changed outside the server. " +
            "Check the audit chain (VerifyAuditChain), then generate a new set and have it reviewed.");
    }

    private static bool RecordsApprovalOf(AuditEntryRow entry, CounterfactualSetRow set)
    {
        using var details = JsonDocument.Parse(entry.DetailsJson);
        var root = details.RootElement;
        string? reviewer = root.TryGetProperty("reviewer", out var r) ? r.GetString() : null;
        string? artifact = root.TryGetProperty("artifact_sha256", out var a) ? a.GetString() : null;
        return reviewer is not null
            && reviewer == set.ReviewedBy
            && artifact == set.ArtifactSha256
            && PersonKey(reviewer) != PersonKey(set.RequestedBy);
    }

    /// <summary>Returns the status's proto name without its prefix, for example "PENDING".</summary>
    public static string StatusName(int status) => (Proto.CounterfactualSetStatus)status switch
    {
        Proto.CounterfactualSetStatus.Pending => "PENDING",
        Proto.CounterfactualSetStatus.Approved => "APPROVED",
        Proto.CounterfactualSetStatus.Rejected => "REJECTED",
        Proto.CounterfactualSetStatus.Withdrawn => "WITHDRAWN",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Returns the audit subject of a set, "counterfactual_set/ID".</summary>
    public static string Subject(string setId) => $"counterfactual_set/{setId}";

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private async Task<CounterfactualSetRow> StoreAsync(
        string actor,
        DatasetRow dataset,
        CounterfactualSet set,
        Proto.GenerateCounterfactualSetRequest spec,
        string requestedBy,
        string source,
        CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        set.WriteCsv(buffer);
        string sha256 = await artifacts.WriteAsync(buffer.ToArray(), cancellationToken);

        var row = new CounterfactualSetRow
        {
            Id = Guid.CreateVersion7().ToString(),
            DatasetId = dataset.Id,
            Status = (int)Proto.CounterfactualSetStatus.Pending,
            RequestedBy = requestedBy,
            Spec = spec.ToByteArray(),
            Source = source,
            ArtifactSha256 = sha256,
            RowCount = set.Count,
            ChangedCellCount = CounterfactualPages.CountChangedCells(set),
            ColumnsJson = JsonSerializer.Serialize(set.Original.FeatureColumns),
            MappedColumnsJson = JsonSerializer.Serialize(set.MappedColumns),
            CreatedAt = time.GetUtcNow().UtcDateTime,
            DatasetVersion = dataset.Version,
        };

        // The artifact is in place, so the row is inserted even if the caller goes away now.
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await using (var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            // The conditional no-op update locks the dataset row that an erasure's commit also locks, so a set drawn from
            // a dataset version that an erasure purged meanwhile is rejected here, or else seen by that erasure.
            int current = await db.Datasets
                .Where(d => d.Id == dataset.Id && d.Version == dataset.Version && d.TrainSha256 == dataset.TrainSha256)
                .ExecuteUpdateAsync(update => update.SetProperty(d => d.Version, d => d.Version), CancellationToken.None);
            if (current == 0)
            {
                throw RpcErrors.FailedPrecondition("dataset",
                    $"Dataset {dataset.Name} changed from version {dataset.Version} while the set was generated (an erasure purged rows), " +
                    "so the set was not stored; generate it again.");
            }

            db.CounterfactualSets.Add(row);
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        logger.CounterfactualSetGenerated(row.Id, dataset.Name, row.RowCount, requestedBy);
        await audit.TryAppendAsync(actor, AuditActions.CounterfactualGenerate, Subject(row.Id), new Dictionary<string, object?>
        {
            ["dataset_id"] = row.DatasetId,
            ["requested_by"] = requestedBy,
            ["source"] = source,
            ["artifact_sha256"] = sha256,
            ["row_count"] = row.RowCount,
            ["changed_cell_count"] = row.ChangedCellCount,
        });
        return row;
    }

    private static string RequireName(string name, string field)
    {
        string trimmed = name.Trim();
        if (trimmed.Length == 0)
            throw RpcErrors.InvalidArgument(field, $"{field} is empty; pass the name of the person who acts.");
        if (trimmed.Length > 256)
            throw RpcErrors.InvalidArgument(field, $"{field} is {trimmed.Length} characters long; use at most 256.");

        int hidden = trimmed.IndexOf(trimmed.FirstOrDefault(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format));
        if (hidden >= 0)
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} contains the invisible character U+{(int)trimmed[hidden]:X4} at position {hidden}; type the name without it.");
        }

        return trimmed;
    }

    /// <summary>
    /// Returns the form of a name that the four-eyes rule compares: full-width letters as ASCII, without
    /// combining marks, dotted and dotless I as I, in upper case. The server runs with invariant globalization,
    /// which has no Unicode normalization, so these folds are done here.
    /// </summary>
    /// <remarks>
    /// Letters of other scripts that look Latin, such as Cyrillic "а", and precomposed accented letters count as
    /// different names here. Through the RPCs the names are authenticated user names, which are ASCII only.
    /// </remarks>
    internal static string PersonKey(string name)
    {
        var key = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                continue;

            char folded = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u0130' or '\u0131' => 'I',
                _ => c,
            };
            key.Append(char.ToUpperInvariant(folded));
        }

        return key.ToString();
    }
}
