using System.Globalization;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Versions;

/// <summary>
/// Keeps the aliases of models (champion, candidate) and their release gates. Promotion to champion checks the
/// model's gate against the current champion, or the candidate's lineage root when there is none, and stores the
/// verdict with the version and in the audit trail whether it passes or not. Promotion to either alias rejects a
/// version that an erasure certificate lists as still carrying the erased rows.
/// </summary>
public sealed class VersionPromotions(
    IDbContextFactory<ComputeDbContext> dbFactory,
    ModelCatalog models,
    AuditTrail audit,
    TimeProvider time,
    ILogger<VersionPromotions> logger)
{
    public const string Champion = "champion";

    public const string Candidate = "candidate";

    /// <summary>Longest promotion reason, in characters: the reason is stored in the audit trail.</summary>
    public const int MaxReasonLength = 2000;

    private static readonly string[] Aliases = [Champion, Candidate];

    /// <summary>Serialises promotions on SQLite, where one server owns the database.</summary>
    private readonly SemaphoreSlim _sqlitePromotions = new(1, 1);

    /// <summary>Returns the model's gate, or the default gate when none was set; NOT_FOUND for an unknown model.</summary>
    public async Task<Proto.ReleaseGate> GetGateAsync(string modelId, CancellationToken cancellationToken)
    {
        await RequireModelAsync(modelId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.ReleaseGates.AsNoTracking().FirstOrDefaultAsync(g => g.ModelId == modelId, cancellationToken);
        return row is null ? ReleaseGateRules.Default(modelId) : ToProto(row);
    }

    /// <summary>Replaces the model's gate. Thresholds must lie in [0, 1]; an unset one turns its rule off.</summary>
    public async Task<Proto.ReleaseGate> SetGateAsync(string actor, Proto.SetReleaseGateRequest request, CancellationToken cancellationToken)
    {
        if (request.HasMinDisparateImpactRatio)
            RequireFraction(request.MinDisparateImpactRatio, "min_disparate_impact_ratio");
        if (request.HasMaxAccuracyDrop)
            RequireFraction(request.MaxAccuracyDrop, "max_accuracy_drop");
        await RequireModelAsync(request.ModelId, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.ReleaseGates.FirstOrDefaultAsync(g => g.ModelId == request.ModelId, cancellationToken);
        if (row is null)
        {
            row = new ReleaseGateRow { ModelId = request.ModelId, UpdatedBy = actor };
            db.ReleaseGates.Add(row);
        }

        row.MinDisparateImpactRatio = request.HasMinDisparateImpactRatio ? request.MinDisparateImpactRatio : null;
        row.MaxAccuracyDrop = request.HasMaxAccuracyDrop ? request.MaxAccuracyDrop : null;
        row.UpdatedBy = actor;
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(CancellationToken.None);

        string minRatio = Describe(row.MinDisparateImpactRatio);
        string maxDrop = Describe(row.MaxAccuracyDrop);
        logger.ReleaseGateSet(row.ModelId, minRatio, maxDrop);
        await audit.TryAppendAsync(actor, AuditActions.ReleaseGateSet, $"model/{row.ModelId}", new Dictionary<string, object?>
        {
            ["min_disparate_impact_ratio"] = row.MinDisparateImpactRatio,
            ["max_accuracy_drop"] = row.MaxAccuracyDrop,
        });
        return ToProto(row);
    }

    /// <summary>
    /// Points an alias at a version. For champion, checks the gate first: a failed rule stores the verdict and
    /// throws FAILED_PRECONDITION naming the rule. For candidate, only the erased rows rule is checked, and its
    /// failure is audited without storing a verdict.
    /// </summary>
    public async Task<Proto.PromoteVersionResponse> PromoteAsync(string actor, Proto.PromoteVersionRequest request, CancellationToken cancellationToken)
    {
        if (request.Reason.Length > MaxReasonLength)
            throw RpcErrors.InvalidArgument("reason", $"reason has {request.Reason.Length} characters; shorten it to at most {MaxReasonLength}.");

        string alias = string.IsNullOrEmpty(request.Alias) ? Champion : request.Alias;
        if (!Aliases.Contains(alias))
            throw RpcErrors.InvalidArgument("alias", $"alias '{(alias.Length > 64 ? alias[..64] + "…" : alias)}' is unknown; use champion or candidate.");

        var version = await models.GetVersionAsync(request.VersionId, "version_id", cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var exclusive = await LockPromotionsAsync(db, version.ModelId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var current = await db.ModelAliases.FirstOrDefaultAsync(a => a.ModelId == version.ModelId && a.Alias == alias, cancellationToken);
        string previous = current?.VersionId ?? "";
        var now = time.GetUtcNow().UtcDateTime;

        Proto.GateVerdict? verdict = null;
        if (alias == Candidate && await ErasureListingAsync(db, version, cancellationToken) is { } listing)
        {
            // Promotion to candidate has no gate, so the verdict is only audited, not stored with the version.
            verdict = new Proto.GateVerdict
            {
                Passed = false,
                Rules = { listing },
                DecidedAt = now.ToTimestamp(),
                DecidedBy = actor,
            };

            // The transaction ends first, because on SQLite it holds the write lock that the audit entry needs.
            await transaction.RollbackAsync(CancellationToken.None);
            await AuditPromotionAsync(actor, version, alias, previous, verdict, request.Reason);
            logger.PromotionRejected(version.Id, ReleaseGateRules.ErasedRows);
            throw RpcErrors.FailedPrecondition($"release_gate.{ReleaseGateRules.ErasedRows}",
                $"Version {version.Id} cannot become the candidate of model {version.ModelId}: {verdict.Rules[0].Message}");
        }

        if (alias == Champion)
        {
            verdict = await JudgeAsync(db, actor, version, current?.VersionId, now, cancellationToken);
            var stored = await db.ModelVersions.FirstAsync(v => v.Id == version.Id, cancellationToken);
            stored.GateVerdict = verdict.ToByteArray();
            if (!verdict.Passed)
            {
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                await AuditPromotionAsync(actor, version, alias, previous, verdict, request.Reason);
                var failed = verdict.Rules.Where(r => !r.Passed).ToList();
                logger.PromotionRejected(version.Id, string.Join(", ", failed.Select(r => r.Rule)));
                // A gate change cannot pass a version that still carries erased rows.
                string advice = failed.All(r => r.Rule == ReleaseGateRules.ErasedRows)
                    ? ""
                    : " Change the model's gate (SetReleaseGate) or promote another version.";
                throw RpcErrors.FailedPrecondition($"release_gate.{failed[0].Rule}",
                    $"Version {version.Id} did not pass the release gate of model {version.ModelId}: " +
                    string.Join(" ", failed.Select(r => r.Message)) + advice);
            }
        }

        if (current is null)
        {
            current = new ModelAliasRow { ModelId = version.ModelId, Alias = alias, VersionId = version.Id, UpdatedBy = actor };
            db.ModelAliases.Add(current);
        }

        current.VersionId = version.Id;
        current.UpdatedBy = actor;
        current.UpdatedAt = now;
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);

        logger.VersionPromoted(version.Id, alias, version.ModelId, previous);
        await AuditPromotionAsync(actor, version, alias, previous, verdict, request.Reason);
        var response = new Proto.PromoteVersionResponse { Alias = ToProto(current), PreviousVersionId = previous };
        if (verdict is not null)
            response.Verdict = verdict;
        return response;
    }

    /// <summary>
    /// Waits until no other promotion of the model runs, on any server, and returns the lock. Each promotion then
    /// judges the gate against the champion it replaces, and no two insert the same alias row. The lock is held until
    /// the audit entry is written, so the audit trail lists promotions in the order they took effect.
    /// </summary>
    private async Task<IAsyncDisposable> LockPromotionsAsync(ComputeDbContext db, string modelId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // A session lock, released after the audit entry. PostgreSQL also releases it when the process dies.
            string key = "promotion:" + modelId;
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock(hashtext({key}))", cancellationToken);
            return new AsyncRelease(async () =>
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtext({key}))", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            });
        }

        await _sqlitePromotions.WaitAsync(cancellationToken);
        return new AsyncRelease(() =>
        {
            _sqlitePromotions.Release();
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Returns the version's gate verdict: the one stored by its latest promotion to champion, or the model's gate
    /// checked now against the current champion (nothing stored). The flag is true for a verdict checked now.
    /// </summary>
    public async Task<(Proto.GateVerdict Verdict, bool CheckedNow)> VerdictOfAsync(string versionId, string actor, CancellationToken cancellationToken)
    {
        var version = await models.GetVersionAsync(versionId, "version_id", cancellationToken);
        if (version.GateVerdict is not null)
            return (Proto.GateVerdict.Parser.ParseFrom(version.GateVerdict), false);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var champion = await db.ModelAliases.AsNoTracking().FirstOrDefaultAsync(a => a.ModelId == version.ModelId && a.Alias == Champion, cancellationToken);
        var verdict = await JudgeAsync(db, actor, version, champion?.VersionId, time.GetUtcNow().UtcDateTime, cancellationToken);
        return (verdict, true);
    }

    /// <summary>Lists aliases, of one model or of all, by model and then alias.</summary>
    public async Task<IReadOnlyList<Proto.ModelAlias>> ListAliasesAsync(string? modelId, CancellationToken cancellationToken)
    {
        if (modelId is not null)
            await RequireModelAsync(modelId, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ModelAliases.AsNoTracking();
        if (modelId is not null)
            query = query.Where(a => a.ModelId == modelId);
        var rows = await query.OrderBy(a => a.ModelId).ThenBy(a => a.Alias).ToListAsync(cancellationToken);
        return rows.Select(ToProto).ToList();
    }

    /// <summary>Returns the aliases that point at each of the given versions; versions without one are left out.</summary>
    public async Task<IReadOnlyDictionary<string, List<string>>> AliasesByVersionAsync(IReadOnlyCollection<string> versionIds, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ModelAliases.AsNoTracking().Where(a => versionIds.Contains(a.VersionId)).ToListAsync(cancellationToken);
        return rows.GroupBy(a => a.VersionId).ToDictionary(g => g.Key, g => g.Select(a => a.Alias).Order(StringComparer.Ordinal).ToList());
    }

    private async Task<Proto.GateVerdict> JudgeAsync(
        ComputeDbContext db,
        string actor,
        ModelVersionRow candidate,
        string? championId,
        DateTime now,
        CancellationToken cancellationToken)
    {
        var gateRow = await db.ReleaseGates.AsNoTracking().FirstOrDefaultAsync(g => g.ModelId == candidate.ModelId, cancellationToken);
        var gate = gateRow is null ? ReleaseGateRules.Default(candidate.ModelId) : ToProto(gateRow);

        // Against the champion the candidate would replace; without one, against the version its lineage starts from.
        var (reference, kind) = championId is not null && championId != candidate.Id
            ? (await models.GetVersionAsync(championId, "version_id", cancellationToken), Champion)
            : (await LineageRootAsync(candidate, cancellationToken), "lineage root");
        var rules = new List<Proto.GateRuleResult>();
        if (await ErasureListingAsync(db, candidate, cancellationToken) is { } listing)
            rules.Add(listing);
        rules.AddRange(ReleaseGateRules.Check(gate,
            Proto.FairnessReport.Parser.ParseFrom(candidate.TestReport),
            Proto.FairnessReport.Parser.ParseFrom(reference.TestReport)));
        return new Proto.GateVerdict
        {
            Passed = rules.All(r => r.Passed),
            Rules = { rules },
            Gate = gate,
            ReferenceVersionId = reference.Id,
            ReferenceKind = kind,
            DecidedAt = now.ToTimestamp(),
            DecidedBy = actor,
        };
    }

    /// <summary>
    /// Returns the failed erased-rows rule for a version that a certificate of its dataset lists among the versions that
    /// still carry the erased rows, or null. It cites the latest such certificate, because its new version carries none of them.
    /// </summary>
    private async Task<Proto.GateRuleResult?> ErasureListingAsync(ComputeDbContext db, ModelVersionRow version, CancellationToken cancellationToken)
    {
        var model = await models.FindModelAsync(version.ModelId, cancellationToken);
        if (model is null)
            return null;

        var rows = await db.Erasures.AsNoTracking()
            .Where(e => e.DatasetId == model.DatasetId)
            .OrderByDescending(e => e.IssuedAt)
            .ToListAsync(cancellationToken);
        var erasure = rows.Select(r => Proto.ErasureCertificate.Parser.ParseFrom(r.Certificate))
            .FirstOrDefault(c => c.NewVersionId != version.Id && c.VersionsAffected.Contains(version.Id));
        if (erasure is null)
            return null;

        string newVersionModelId = (await models.FindVersionAsync(erasure.NewVersionId, cancellationToken))?.ModelId ?? version.ModelId;
        return ReleaseGateRules.ErasedRowsFailed(version.Id, version.ModelId, erasure, newVersionModelId);
    }

    private async Task<ModelVersionRow> LineageRootAsync(ModelVersionRow version, CancellationToken cancellationToken)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal) { version.Id };
        var current = version;
        while (current.ParentVersionId is { } parentId && visited.Add(parentId)
               && await models.FindVersionAsync(parentId, cancellationToken) is { } parent)
        {
            current = parent;
        }

        return current;
    }

    private Task AuditPromotionAsync(string actor, ModelVersionRow version, string alias, string previous, Proto.GateVerdict? verdict, string reason) =>
        audit.TryAppendAsync(actor, AuditActions.VersionPromote, $"version/{version.Id}", new Dictionary<string, object?>
        {
            ["model_id"] = version.ModelId,
            ["alias"] = alias,
            ["previous_version_id"] = previous,
            ["promoted"] = verdict?.Passed ?? true,
            ["gate_passed"] = verdict?.Passed,
            ["failed_rules"] = verdict is null ? null : string.Join(",", verdict.Rules.Where(r => !r.Passed).Select(r => r.Rule)),
            ["reference_version_id"] = verdict?.ReferenceVersionId,
            ["reason"] = reason,
        });

    private async Task RequireModelAsync(string modelId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(modelId))
            throw RpcErrors.InvalidArgument("model_id", "model_id is empty; pass a model id (ListModels, or 'unlearn versions list' with each version's model, shows them).");
        if (await models.FindModelAsync(modelId, cancellationToken) is null)
            throw RpcErrors.NotFound($"Model '{modelId}' (model_id) was not found; ListModels, or 'unlearn versions list' with each version's model, shows the existing ones.");
    }

    private static void RequireFraction(double value, string field)
    {
        if (!(value is >= 0 and <= 1))
            throw RpcErrors.InvalidArgument(field, $"{field} {value.ToString(CultureInfo.InvariantCulture)} is out of range; use a value in [0, 1].");
    }

    private static string Describe(double? threshold) => threshold?.ToString(CultureInfo.InvariantCulture) ?? "not checked";

    private static Proto.ReleaseGate ToProto(ReleaseGateRow row)
    {
        var gate = new Proto.ReleaseGate { ModelId = row.ModelId, UpdatedBy = row.UpdatedBy, UpdatedAt = row.UpdatedAt.ToTimestamp() };
        if (row.MinDisparateImpactRatio is { } ratio)
            gate.MinDisparateImpactRatio = ratio;
        if (row.MaxAccuracyDrop is { } drop)
            gate.MaxAccuracyDrop = drop;
        return gate;
    }

    private static Proto.ModelAlias ToProto(ModelAliasRow row) => new()
    {
        ModelId = row.ModelId,
        Alias = row.Alias,
        VersionId = row.VersionId,
        UpdatedBy = row.UpdatedBy,
        UpdatedAt = row.UpdatedAt.ToTimestamp(),
    };
}
