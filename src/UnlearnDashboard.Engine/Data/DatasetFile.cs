using System.Globalization;

namespace UnlearnDashboard.Engine.Data;

/// <summary>Outcome of a record: used in a split, dropped or excluded.</summary>
internal enum RowState : byte
{
    Complete,

    /// <summary>A feature value is missing.</summary>
    Dropped,

    /// <summary>The label or the sensitive value is missing and the policy for that column is Exclude.</summary>
    Excluded,
}

/// <summary>One input file's records in dataset column order, with derived columns computed.</summary>
internal sealed class DatasetFile
{
    private DatasetFile(CsvTable table, string[][] columns, long firstRowId, int idColumn)
    {
        Table = table;
        Columns = columns;
        FirstRowId = firstRowId;
        IdColumn = idColumn;
        States = new RowState[table.RecordCount];
    }

    public CsvTable Table { get; }

    public string Source => Table.Source;

    public int RecordCount => Table.RecordCount;

    /// <summary>One array per dataset column (see <see cref="DatasetColumns"/>), one value per record.</summary>
    public string[][] Columns { get; }

    /// <summary>Row id of the first record: 0 for the training file, the training file's record count for the test file.</summary>
    public long FirstRowId { get; }

    public RowState[] States { get; }

    private int IdColumn { get; }

    /// <summary>
    /// Maps the table's columns to dataset column order and computes the derived columns. A missing source
    /// value stays missing as written ('?' or empty). Throws <see cref="EngineException"/> for a source value
    /// that has no entry in the value map when the derived column has no other value.
    /// </summary>
    public static DatasetFile Create(CsvTable table, DatasetColumns columns, DatasetDefinition definition, long firstRowId)
    {
        var values = new string[columns.Names.Count][];
        for (int c = 0; c < columns.FileColumnCount; c++)
            values[c] = table.Values[table.IndexOf(columns.Names[c])];

        int idColumn = columns.Id < 0 ? -1 : table.IndexOf(columns.Names[columns.Id]);
        var file = new DatasetFile(table, values, firstRowId, idColumn);
        for (int d = 0; d < definition.DerivedColumns.Count; d++)
            values[columns.FileColumnCount + d] = file.Derive(definition.DerivedColumns[d]);

        return file;
    }

    public static bool IsMissing(string value) => value.Length == 0 || value == "?";

    /// <summary>Names a record in messages: its "id" value when the file has such a column, otherwise "line N" (CSV) or "row N" (Parquet).</summary>
    public string NameRow(int record)
    {
        if (IdColumn >= 0 && !IsMissing(Table.Values[IdColumn][record]))
            return Table.Values[IdColumn][record];

        return Table.RecordName + " " + Table.LineNumbers[record].ToString(CultureInfo.InvariantCulture);
    }

    private string[] Derive(DerivedColumn derived)
    {
        string[] source = Table.Values[Table.IndexOf(derived.SourceColumn)];
        var result = new string[source.Length];
        for (int r = 0; r < source.Length; r++)
        {
            string value = source[r];
            if (IsMissing(value))
                result[r] = value;
            else if (derived.ValueMap.TryGetValue(value, out string? mapped))
                result[r] = mapped;
            else
                result[r] = derived.OtherValue ?? throw UnmappedValue(derived, value, r);
        }

        return result;
    }

    private EngineException UnmappedValue(DerivedColumn derived, string value, int record) =>
        EngineException.Invalid(
            derived.SourceColumn,
            $"Value '{value}' of column '{derived.SourceColumn}' ({NameRow(record)} of {Source}) is not in the value map of derived column " +
            $"'{derived.Name}', which maps {DatasetColumns.List(derived.ValueMap.Keys.Order(StringComparer.Ordinal))}. " +
            "Add the value to the map, or give the derived column an other value for unmapped values.",
            value);
}
