using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UnlearnDashboard.Engine.Data;

/// <summary>A record removed from a training file: its row id and the SHA-256 of its values.</summary>
public sealed record PurgedRow(long RowId, string Sha256);

/// <summary>The training file without the purged records, as CSV, the records removed and the number of records retained.</summary>
public sealed record PurgeResult(byte[] File, IReadOnlyList<PurgedRow> Rows, int RecordCount);

/// <summary>Row ids that a request names, ascending, and the training file's record count.</summary>
public sealed record ResolvedRows(long[] RowIds, int RecordCount);

/// <summary>
/// Finds records of a dataset's training file by row id or key column and writes the file without them. Row ids
/// are record positions in the training file, from 0, as <see cref="DatasetLoader"/> assigns them.
/// </summary>
/// <remarks>
/// The purged file is written as CSV with the values the reader returned: trimmed, comma-separated, quoted where a
/// value contains a comma, a quote or a line break, with a header unless the definition names the columns. A
/// Parquet training file is rewritten as CSV, which the loader reads the same way.
/// NOTE: the loader's stratified split depends on every record's position, so the purged file's train,
/// validation and test splits differ from the previous file's, not only by the purged rows.
/// </remarks>
public static class TrainingFilePurge
{
    /// <summary>
    /// Returns the row ids named by <paramref name="rowIds"/> and by the records whose <paramref name="keyColumn"/>
    /// value is one of <paramref name="keyValues"/>, ascending and without repeats. Throws an invalid-argument
    /// <see cref="EngineException"/> naming the field for a row id outside the file, an unknown column, or a key
    /// value that matches no record.
    /// </summary>
    public static ResolvedRows Resolve(
        DatasetDefinition definition,
        byte[] trainFile,
        string source,
        IReadOnlyCollection<long> rowIds,
        string keyColumn,
        IReadOnlyCollection<string> keyValues)
    {
        var table = Read(definition, trainFile, source);
        var resolved = new SortedSet<long>();
        foreach (long rowId in rowIds)
        {
            if (rowId < 0 || rowId >= table.RecordCount)
            {
                throw EngineException.Invalid("row_ids",
                    $"Row id {rowId} is not in the training file, whose row ids run from 0 to {table.RecordCount - 1}.",
                    rowId.ToString(CultureInfo.InvariantCulture));
            }

            resolved.Add(rowId);
        }

        if (keyValues.Count > 0 || keyColumn.Length > 0)
        {
            int column = table.IndexOf(keyColumn);
            if (column < 0)
            {
                throw EngineException.Invalid("key_column",
                    $"Key column '{keyColumn}' is not a column of the training file, whose columns are {string.Join(", ", table.Columns)}.", keyColumn);
            }

            if (keyValues.Count == 0)
                throw EngineException.Invalid("key_values", $"key_values is empty; name the values of key column '{keyColumn}' whose rows to erase.");

            var requestedValues = keyValues.Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
            var found = new HashSet<string>(StringComparer.Ordinal);
            string[] values = table.Values[column];
            for (int record = 0; record < values.Length; record++)
            {
                if (requestedValues.Contains(values[record]))
                {
                    resolved.Add(record);
                    found.Add(values[record]);
                }
            }

            if (requestedValues.FirstOrDefault(v => !found.Contains(v)) is { } missing)
            {
                throw EngineException.Invalid("key_values",
                    $"No record of the training file has '{missing}' in key column '{keyColumn}'; check the value, or erase by row id.", missing);
            }
        }

        return new ResolvedRows(resolved.ToArray(), table.RecordCount);
    }

    /// <summary>Returns the training file without the records <paramref name="rowIds"/>, with each removed record's hash.</summary>
    public static PurgeResult Purge(DatasetDefinition definition, byte[] trainFile, string source, IReadOnlyCollection<long> rowIds)
    {
        var table = Read(definition, trainFile, source);
        var purge = rowIds.ToHashSet();
        var output = new StringBuilder();
        if (definition.ColumnNames is null)
            AppendRecord(output, table.Columns);

        var rows = new List<PurgedRow>();
        var values = new string[table.Columns.Count];
        int retainedCount = 0;
        for (int record = 0; record < table.RecordCount; record++)
        {
            for (int c = 0; c < values.Length; c++)
                values[c] = table.Values[c][record];

            if (purge.Contains(record))
            {
                rows.Add(new PurgedRow(record, HashRecord(values)));
                continue;
            }

            AppendRecord(output, values);
            retainedCount++;
        }

        return new PurgeResult(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(output.ToString()), rows, retainedCount);
    }

    /// <summary>Returns the SHA-256 of a record's trimmed values joined by commas, UTF-8, lowercase hex.</summary>
    public static string HashRecord(IReadOnlyList<string> values) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', values))));

    private static CsvTable Read(DatasetDefinition definition, byte[] trainFile, string source)
    {
        using var stream = new MemoryStream(trainFile, writable: false);
        return TableReader.Read(stream, source, "train_file", definition.ColumnNames);
    }

    private static void AppendRecord(StringBuilder output, IReadOnlyList<string> values)
    {
        for (int c = 0; c < values.Count; c++)
        {
            if (c > 0)
                output.Append(',');
            AppendField(output, values[c], first: c == 0);
        }

        output.Append('\n');
    }

    private static void AppendField(StringBuilder output, string value, bool first)
    {
        // The reader takes a line that starts with '|' for a comment, so such a first value is quoted too.
        bool quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (first && value.StartsWith('|'));
        if (!quote)
        {
            output.Append(value);
            return;
        }

        output.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
