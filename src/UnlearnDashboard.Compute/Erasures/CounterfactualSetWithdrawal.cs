using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Erasures;

/// <summary>
/// Finds and withdraws, inside an erasure's commit transaction, the counterfactual sets of the dataset that copy an
/// erased record, so that no set keeps exposing or supplying the erased values.
/// </summary>
/// <remarks>
/// A set copies records of the dataset version it was generated on, with that version's row ids, and an erasure
/// renumbers the rows. A set generated on the dataset version being purged therefore matches by row id. Every set
/// also matches by value: a row whose feature values and label equal an erased record's is a copy, whatever its
/// numbering. That covers sets generated before an earlier erasure, and may also withdraw a set that contains another
/// record with identical values, which a compliance officer would rather accept than miss a copy.
/// Sets of uploaded rows copy no record of the dataset's files and are left alone.
/// </remarks>
public sealed class CounterfactualSetWithdrawal(ArtifactStore artifacts)
{
    /// <summary>
    /// Withdraws the dataset's sets that copy an erased record and returns them for the certificate, each marked with
    /// whether its artifact is to be deleted after the commit. It first takes the dataset row's lock, so a set that
    /// <see cref="CounterfactualCatalog"/> stores concurrently on the purged version either is seen here or is
    /// rejected when it rechecks the dataset version.
    /// </summary>
    public async Task<IReadOnlyList<Proto.WithdrawnCounterfactualSet>> WithdrawCopiesAsync(
        ComputeDbContext db,
        DatasetRow previous,
        PreparedDataset purgedFrom,
        IReadOnlyCollection<long> erasedRowIds,
        string erasureId,
        DateTime now,
        CancellationToken cancellationToken)
    {
        // A no-op update takes the row lock on PostgreSQL (SQLite serialises write transactions anyway).
        await db.Datasets.Where(d => d.Id == previous.Id)
            .ExecuteUpdateAsync(update => update.SetProperty(d => d.Version, d => d.Version), cancellationToken);

        var sets = await db.CounterfactualSets
            .Where(s => s.DatasetId == previous.Id
                        && s.Source == CounterfactualCatalog.TrainingRowsSource
                        && s.Status != (int)Proto.CounterfactualSetStatus.Withdrawn)
            .OrderBy(s => s.CreatedAt)
            .ToListAsync(cancellationToken);
        if (sets.Count == 0)
            return [];

        var erased = erasedRowIds.ToHashSet();
        var erasedRecords = ErasedRecords(purgedFrom, erased);
        var definition = purgedFrom.Definition;
        var withdrawn = new List<(CounterfactualSetRow Row, long[] RowIds)>();
        foreach (var set in sets)
        {
            byte[] csv = await artifacts.ReadVerifiedAsync(set.ArtifactSha256, cancellationToken);
            using var stream = new MemoryStream(csv, writable: false);
            var rows = CounterfactualSet.ReadCsv(stream, definition.SensitiveColumn, $"counterfactual set {set.Id}").Original;
            long[] copied = FindCopies(rows, erasedRecords, set.DatasetVersion == previous.Version ? erased : null);
            if (copied.Length > 0)
                withdrawn.Add((set, copied));
        }

        var withdrawnIds = withdrawn.Select(w => w.Row.Id).ToList();
        var result = new List<Proto.WithdrawnCounterfactualSet>();
        foreach (var (set, rowIds) in withdrawn)
        {
            string sha256 = set.ArtifactSha256;
            bool stillUsed = await db.CounterfactualSets.AnyAsync(
                    s => s.ArtifactSha256 == sha256
                         && s.Status != (int)Proto.CounterfactualSetStatus.Withdrawn
                         && !withdrawnIds.Contains(s.Id),
                    cancellationToken)
                || await db.Datasets.AnyAsync(d => d.TrainSha256 == sha256 || d.TestSha256 == sha256, cancellationToken);
            result.Add(new Proto.WithdrawnCounterfactualSet
            {
                SetId = set.Id,
                PreviousStatus = CounterfactualCatalog.StatusName(set.Status),
                RowIds = { rowIds },
                ArtifactSha256 = sha256,
                ArtifactDeleted = !stillUsed && !result.Any(r => r.ArtifactSha256 == sha256 && r.ArtifactDeleted),
            });

            set.Status = (int)Proto.CounterfactualSetStatus.Withdrawn;
            set.WithdrawnByErasureId = erasureId;
            set.WithdrawnAt = now;
        }

        return result;
    }

    /// <summary>
    /// Returns the row ids, in the set's numbering, of the set's rows that copy an erased record: by value, and by
    /// row id when <paramref name="erasedRowIds"/> is given because the set uses the purged version's numbering.
    /// </summary>
    internal static long[] FindCopies(TabularSplit rows, IReadOnlyDictionary<string, HashSet<string>> erasedRecords, IReadOnlySet<long>? erasedRowIds)
    {
        var copied = new SortedSet<long>();
        for (int r = 0; r < rows.Count; r++)
        {
            if (erasedRowIds is not null && erasedRowIds.Contains(rows.RowIds[r]))
            {
                copied.Add(rows.RowIds[r]);
                continue;
            }

            if (erasedRecords.Count > 0 && erasedRecords.GetValueOrDefault(ColumnsKey(rows.FeatureColumns)) is { } keys && keys.Contains(RecordKey(rows, r)))
                copied.Add(rows.RowIds[r]);
        }

        return copied.ToArray();
    }

    /// <summary>
    /// Returns the erased records that a split of the purged version contains, as value keys, under the key of their
    /// column list. Records the loader dropped for a missing value are in no split, so no set can copy them.
    /// </summary>
    internal static Dictionary<string, HashSet<string>> ErasedRecords(PreparedDataset data, IReadOnlySet<long> erasedRowIds)
    {
        var records = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            for (int r = 0; r < split.Count; r++)
            {
                if (!erasedRowIds.Contains(split.RowIds[r]))
                    continue;

                string columns = ColumnsKey(split.FeatureColumns);
                if (!records.TryGetValue(columns, out var keys))
                    records[columns] = keys = new HashSet<string>(StringComparer.Ordinal);
                keys.Add(RecordKey(split, r));
            }
        }

        return records;
    }

    private static string ColumnsKey(IReadOnlyList<string> columns) => string.Join('\u001f', columns);

    // NOTE: values are joined by the unit separator (U+001F), on the assumption that no dataset value contains it.
    private static string RecordKey(TabularSplit split, int row)
    {
        var values = split.FeatureValues.Select(column => column[row]).Append(split.Labels[row].ToString(CultureInfo.InvariantCulture));
        return string.Join('\u001f', values);
    }
}
