using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UnlearnDashboard.Engine.Data;

/// <summary>A purged record: its row id and the SHA-256 of its values.</summary>
public sealed record PurgedRow(long RowId, string Sha256);

/// <summary>The contents of a dataset's stored files: the training file and the test file, null when the dataset has none.</summary>
public sealed record DatasetFileContents(byte[] Train, byte[]? Test);

/// <summary>
/// A dataset's files without the purged records, the records removed, and the definition to load the files with, which
/// names the validation records so that every kept record keeps its split.
/// <see cref="TestFile"/> is the previous test file's contents, unchanged, when none of its records was purged.
/// <see cref="TestSplitFrozen"/> is true when the dataset had no test file and the purge wrote the training file's
/// test split as one.
/// </summary>
public sealed record PurgeResult(
    DatasetDefinition Definition,
    byte[] TrainFile,
    byte[] TestFile,
    IReadOnlyList<PurgedRow> Rows,
    int TrainRecordCount,
    int TestRecordCount,
    bool TestSplitFrozen);

/// <summary>Row ids that a request names, ascending, and the number of records in the dataset's files.</summary>
public sealed record ResolvedRows(long[] RowIds, int RecordCount);

/// <summary>
/// Finds records of a dataset's files by row id or key column and writes the files without them. Row ids are
/// assigned as <see cref="DatasetLoader"/> assigns them: the training file's record positions from 0, then the test
/// file's records after the training file's last.
/// </summary>
/// <remarks>
/// A purged file is written as CSV with the values the reader returned: trimmed, comma-separated, quoted where a
/// value contains a comma, a quote or a line break, with a header unless the definition names the columns. A
/// Parquet file is rewritten as CSV, which the loader reads the same way.
/// The loader's stratified split depends on every record's position, so purging a file without a test file would
/// draw a new test split. <see cref="Purge"/> therefore moves the test split of such a file to a test file of its
/// own, whose records keep their split in every later purge, and names the validation records in the definition
/// (<see cref="DatasetDefinition.ValidationRecords"/>), so that no record a model trained on moves to validation.
/// </remarks>
public static class TrainingFilePurge
{
    /// <summary>
    /// Returns the row ids named by <paramref name="rowIds"/> and by the records whose <paramref name="keyColumn"/>
    /// value is one of <paramref name="keyValues"/>, in either file, ascending and without repeats. Throws an
    /// invalid-argument <see cref="EngineException"/> naming the field for a row id outside the files, an unknown
    /// column, or a key value that matches no record.
    /// </summary>
    public static ResolvedRows Resolve(
        DatasetDefinition definition,
        DatasetFileContents files,
        string datasetName,
        IReadOnlyCollection<long> rowIds,
        string keyColumn,
        IReadOnlyCollection<string> keyValues)
    {
        var tables = Read(definition, files, datasetName);
        int recordCount = tables.Sum(t => t.Table.RecordCount);
        var resolved = new SortedSet<long>();
        foreach (long rowId in rowIds)
        {
            if (rowId < 0 || rowId >= recordCount)
            {
                string range = tables.Count == 1
                    ? $"the training file, whose row ids run from 0 to {recordCount - 1}"
                    : $"the dataset, whose row ids run from 0 to {recordCount - 1} (the test file's from {tables[1].FirstRowId})";
                throw EngineException.Invalid("row_ids", $"Row id {rowId} is not in {range}.", rowId.ToString(CultureInfo.InvariantCulture));
            }

            if (!resolved.Add(rowId))
            {
                throw EngineException.Invalid("row_ids",
                    $"Row id {rowId} is named more than once; name each row once.", rowId.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (keyValues.Count > 0 || keyColumn.Length > 0)
            ResolveKeyValues(tables, keyColumn, keyValues, resolved);

        return new ResolvedRows(resolved.ToArray(), recordCount);
    }

    /// <summary>
    /// Returns the dataset's files without the records <paramref name="rowIds"/>, with each removed record's hash.
    /// When the dataset has no test file, the records of <paramref name="testSplitRowIds"/> (the test split the loader
    /// drew from the training file) go to a new test file, and the other records stay in the training file. The
    /// records of <paramref name="validationSplitRowIds"/> (the loader's validation split) that stay are named as the
    /// validation records of the returned definition, at their positions in the new training file.
    /// </summary>
    public static PurgeResult Purge(
        DatasetDefinition definition,
        DatasetFileContents files,
        string datasetName,
        IReadOnlyCollection<long> rowIds,
        IReadOnlyCollection<long> testSplitRowIds,
        IReadOnlyCollection<long> validationSplitRowIds)
    {
        var tables = Read(definition, files, datasetName);
        var purge = rowIds.ToHashSet();
        var purged = new List<PurgedRow>();
        var train = new RecordWriter(definition, tables[0].Table.Columns);
        var validation = validationSplitRowIds.ToHashSet();
        var validationRecords = new List<int>();

        // Returns the training file's writer, noting the position a validation record takes there.
        RecordWriter Train(long rowId)
        {
            if (validation.Contains(rowId))
                validationRecords.Add(train.RecordCount);
            return train;
        }

        if (tables.Count == 1)
        {
            var testSplit = testSplitRowIds.ToHashSet();
            var test = new RecordWriter(definition, tables[0].Table.Columns);
            Copy(tables[0], purge, purged, rowId => testSplit.Contains(rowId) ? test : Train(rowId));
            return new PurgeResult(WithTestFile(definition) with { ValidationRecords = validationRecords }, train.ToBytes(), test.ToBytes(),
                purged, train.RecordCount, test.RecordCount, TestSplitFrozen: true);
        }

        Copy(tables[0], purge, purged, Train);
        var kept = definition with { ValidationRecords = validationRecords };
        var testTable = tables[1];
        if (!purge.Any(id => id >= testTable.FirstRowId))
        {
            return new PurgeResult(kept, train.ToBytes(), files.Test!, purged, train.RecordCount, testTable.Table.RecordCount,
                TestSplitFrozen: false);
        }

        var testFile = new RecordWriter(definition, testTable.Table.Columns);
        Copy(testTable, purge, purged, _ => testFile);
        return new PurgeResult(kept, train.ToBytes(), testFile.ToBytes(), purged, train.RecordCount, testFile.RecordCount,
            TestSplitFrozen: false);
    }

    /// <summary>
    /// Returns the definition for a training file whose test split moved to a test file. Validation was a share of
    /// the whole file and is now drawn from the rest, so its fraction becomes v / (1 - t). German Credit's 0.2 of
    /// the file, with test 0.2, becomes 0.25 of the remaining 80 %, and the validation split keeps its size.
    /// </summary>
    public static DatasetDefinition WithTestFile(DatasetDefinition definition)
    {
        // Rounded to 12 decimals so that 0.1 / 0.8 reads 0.125 rather than 0.12499999999999999.
        double validation = Math.Round(definition.ValidationFraction / (1 - definition.TestFraction), 12);
        return definition with { ValidationFraction = validation };
    }

    /// <summary>Returns the SHA-256 of a record's trimmed values joined by commas, UTF-8, lowercase hex.</summary>
    public static string HashRecord(IReadOnlyList<string> values) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', values))));

    /// <summary>Adds the records whose key column value is requested, throwing for an unknown column or a value that matches no record.</summary>
    private static void ResolveKeyValues(List<RowTable> tables, string keyColumn, IReadOnlyCollection<string> keyValues, SortedSet<long> resolved)
    {
        var train = tables[0].Table;
        if (train.IndexOf(keyColumn) < 0)
        {
            throw EngineException.Invalid("key_column",
                $"Key column '{keyColumn}' is not a column of the training file, whose columns are {string.Join(", ", train.Columns)}.", keyColumn);
        }

        if (keyValues.Count == 0)
            throw EngineException.Invalid("key_values", $"key_values is empty; name the values of key column '{keyColumn}' whose rows to erase.");

        var requestedValues = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in keyValues.Select(v => v.Trim()))
        {
            if (!requestedValues.Add(value))
                throw EngineException.Invalid("key_values", $"Key value '{value}' is named more than once; name each value once.", value);
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (table, firstRowId) in tables)
        {
            // The loader checked that the test file has the training file's columns, perhaps in another order.
            string[] values = table.Values[table.IndexOf(keyColumn)];
            for (int record = 0; record < values.Length; record++)
            {
                if (requestedValues.Contains(values[record]))
                {
                    resolved.Add(firstRowId + record);
                    found.Add(values[record]);
                }
            }
        }

        if (requestedValues.FirstOrDefault(v => !found.Contains(v)) is { } missing)
        {
            throw EngineException.Invalid("key_values",
                $"No record of the dataset's files has '{missing}' in key column '{keyColumn}'; check the value, or erase by row id.", missing);
        }
    }

    /// <summary>Writes each record of <paramref name="source"/> that is not purged to the writer <paramref name="target"/> picks, and records each purged one.</summary>
    private static void Copy(RowTable source, HashSet<long> purge, List<PurgedRow> purged, Func<long, RecordWriter> target)
    {
        var table = source.Table;
        var values = new string[table.Columns.Count];
        for (int record = 0; record < table.RecordCount; record++)
        {
            for (int c = 0; c < values.Length; c++)
                values[c] = table.Values[c][record];

            long rowId = source.FirstRowId + record;
            if (purge.Contains(rowId))
                purged.Add(new PurgedRow(rowId, HashRecord(values)));
            else
                target(rowId).Append(values);
        }
    }

    /// <summary>Reads the training file and the test file, if any, as the loader reads them, with the row id of each file's first record.</summary>
    private static List<RowTable> Read(DatasetDefinition definition, DatasetFileContents files, string datasetName)
    {
        using var trainStream = new MemoryStream(files.Train, writable: false);
        var train = TableReader.Read(trainStream, $"{datasetName} train file", "train_file", definition.ColumnNames);
        var tables = new List<RowTable> { new(train, 0) };
        if (files.Test is not null)
        {
            using var testStream = new MemoryStream(files.Test, writable: false);
            tables.Add(new RowTable(DatasetLoader.ReadTestTable(testStream, $"{datasetName} test file", definition, train), train.RecordCount));
        }

        return tables;
    }

    private sealed record RowTable(CsvTable Table, long FirstRowId);

    /// <summary>One output file's CSV text, with the header written first unless the definition names the columns.</summary>
    private sealed class RecordWriter
    {
        private readonly StringBuilder _text = new();

        public RecordWriter(DatasetDefinition definition, IReadOnlyList<string> columns)
        {
            if (definition.ColumnNames is null)
                AppendRecord(_text, columns);
        }

        public int RecordCount { get; private set; }

        public void Append(IReadOnlyList<string> values)
        {
            AppendRecord(_text, values);
            RecordCount++;
        }

        public byte[] ToBytes() => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(_text.ToString());
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
