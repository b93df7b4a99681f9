using System.Globalization;
using System.Text;
using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>The CSV form of a <see cref="CounterfactualSet"/>; see <see cref="CounterfactualSet.WriteCsv"/>.</summary>
internal static class CounterfactualCsv
{
    private const string Field = "counterfactual_set";

    private const string MappedColumnsColumn = "mapped_columns";

    private static readonly string[] FixedColumns =
        [CounterfactualSet.RoleColumn, CounterfactualSet.RowIdColumn, CounterfactualSet.LabelColumn, MappedColumnsColumn];

    public static void Write(CounterfactualSet set, Stream destination)
    {
        // LF line ends and no byte order mark, so that the bytes depend only on the set.
        using var writer = new StreamWriter(destination, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', FixedColumns.Concat(set.Original.FeatureColumns).Select(Quote)));
        string mapped = string.Join(';', set.MappedColumns);
        for (int row = 0; row < set.Count; row++)
        {
            WriteRow(writer, CounterfactualSet.OriginalRole, set.Original, row, mapped);
            WriteRow(writer, CounterfactualSet.CounterfactualRole, set.Counterfactual, row, mapped);
        }
    }

    public static CounterfactualSet Read(Stream source, string sensitiveColumn, string sourceName)
    {
        var table = CsvReader.Read(source, sourceName, Field, columnNames: null);
        foreach (string column in FixedColumns.Append(sensitiveColumn))
        {
            if (table.IndexOf(column) < 0)
                throw EngineException.Invalid(Field, $"{sourceName} has no column '{column}'; it is not a counterfactual set written by this engine.", column);
        }

        string[] roles = table.Values[table.IndexOf(CounterfactualSet.RoleColumn)];
        string[] rowIds = table.Values[table.IndexOf(CounterfactualSet.RowIdColumn)];
        string[] labels = table.Values[table.IndexOf(CounterfactualSet.LabelColumn)];
        string[] mapped = table.Values[table.IndexOf(MappedColumnsColumn)];
        var featureColumns = table.Columns.Where(c => !FixedColumns.Contains(c)).ToList();
        int[] featureIndexes = featureColumns.Select(table.IndexOf).ToArray();

        var originals = new List<int>();
        var counterfactuals = new Dictionary<long, int>();
        for (int record = 0; record < table.RecordCount; record++)
        {
            long rowId = ParseRowId(rowIds[record], table.LineNumbers[record], sourceName);
            switch (roles[record])
            {
                case CounterfactualSet.OriginalRole:
                    originals.Add(record);
                    break;
                case CounterfactualSet.CounterfactualRole when !counterfactuals.TryAdd(rowId, record):
                    throw EngineException.Invalid(Field, $"{sourceName} line {table.LineNumbers[record]}: row {rowId} has a second counterfactual.", rowIds[record]);
                case CounterfactualSet.CounterfactualRole:
                    break;
                default:
                    throw EngineException.Invalid(Field,
                        $"{sourceName} line {table.LineNumbers[record]}: role '{roles[record]}' is unknown; expected '{CounterfactualSet.OriginalRole}' or '{CounterfactualSet.CounterfactualRole}'.",
                        roles[record]);
            }
        }

        if (originals.Count == 0)
            throw EngineException.Invalid(Field, $"{sourceName} has no original rows.", sourceName);
        if (counterfactuals.Count != originals.Count)
            throw EngineException.Invalid(Field, $"{sourceName} has {originals.Count} original rows but {counterfactuals.Count} counterfactual rows; each original needs one.", sourceName);

        var mappedColumns = mapped[originals[0]].Split(';', StringSplitOptions.RemoveEmptyEntries);
        int sensitive = featureColumns.IndexOf(sensitiveColumn);
        var originalRecords = originals.ToArray();
        var counterfactualRecords = new int[originalRecords.Length];
        for (int i = 0; i < originalRecords.Length; i++)
        {
            int record = originalRecords[i];
            long rowId = ParseRowId(rowIds[record], table.LineNumbers[record], sourceName);
            if (!counterfactuals.TryGetValue(rowId, out int partner))
                throw EngineException.Invalid(Field, $"{sourceName} line {table.LineNumbers[record]}: row {rowId} has no counterfactual.", rowIds[record]);
            if (labels[partner] != labels[record])
                throw EngineException.Invalid(Field, $"{sourceName} line {table.LineNumbers[partner]}: the counterfactual of row {rowId} has another label.", labels[partner]);

            for (int c = 0; c < featureColumns.Count; c++)
            {
                int column = featureIndexes[c];
                if (!mappedColumns.Contains(featureColumns[c]) && table.Values[column][partner] != table.Values[column][record])
                {
                    throw EngineException.Invalid(Field,
                        $"{sourceName} line {table.LineNumbers[partner]}: the counterfactual of row {rowId} differs in column '{featureColumns[c]}', which is not mapped.",
                        featureColumns[c]);
                }
            }

            counterfactualRecords[i] = partner;
        }

        var original = BuildSplit(table, originalRecords, featureIndexes, featureColumns, rowIds, labels, sensitive, sourceName);
        var counterfactual = BuildSplit(table, counterfactualRecords, featureIndexes, featureColumns, rowIds, labels, sensitive, sourceName);
        return new CounterfactualSet(sensitiveColumn, mappedColumns, original, counterfactual);
    }

    private static TabularSplit BuildSplit(
        CsvTable table, int[] records, int[] featureIndexes, List<string> featureColumns, string[] rowIds, string[] labels, int sensitive, string sourceName)
    {
        var values = featureIndexes.Select(c => records.Select(r => table.Values[c][r]).ToArray()).ToList();
        return new TabularSplit(
            "counterfactual",
            featureColumns,
            values,
            records.Select(r => ParseRowId(rowIds[r], table.LineNumbers[r], sourceName)).ToArray(),
            records.Select(r => ParseLabel(labels[r], table.LineNumbers[r], sourceName)).ToArray(),
            values[sensitive]);
    }

    private static long ParseRowId(string text, int line, string sourceName) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw EngineException.Invalid(Field, $"{sourceName} line {line}: row_id '{text}' is not an integer.", text);

    private static float ParseLabel(string text, int line, string sourceName) => text switch
    {
        "0" => 0f,
        "1" => 1f,
        _ => throw EngineException.Invalid(Field, $"{sourceName} line {line}: label '{text}' is invalid; expected 0 or 1.", text),
    };

    private static void WriteRow(StreamWriter writer, string role, TabularSplit split, int row, string mapped)
    {
        var fields = new List<string>
        {
            role,
            split.RowIds[row].ToString(CultureInfo.InvariantCulture),
            split.Labels[row] > 0.5f ? "1" : "0",
            mapped,
        };
        fields.AddRange(split.FeatureValues.Select(column => column[row]));
        writer.WriteLine(string.Join(',', fields.Select(Quote)));
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || value.StartsWith('|') || value.Length == 0
            ? "\"" + value.Replace("\"", "\"\"") + "\""
            : value;
}
