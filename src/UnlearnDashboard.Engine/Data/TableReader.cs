namespace UnlearnDashboard.Engine.Data;

/// <summary>File format of a dataset file, detected from its first bytes.</summary>
public enum TableFormat
{
    Csv,
    Parquet,
}

/// <summary>Reads a dataset file as CSV or Parquet, detecting Parquet by its leading "PAR1".</summary>
internal static class TableReader
{
    /// <summary>
    /// Most columns a dataset file may have. Every column becomes part of each version's stored spec and of the
    /// network's input, so a file far wider than a tabular model can use is refused before it is stored.
    /// </summary>
    public const int MaxColumns = 2_000;

    /// <summary>
    /// Longest value, in characters, a cell may contain. A text value becomes a category level that each version's
    /// stored spec repeats, so a cell this long is free text or a damaged file, not a category.
    /// </summary>
    public const int MaxCellLength = 1_000;

    /// <summary>
    /// Reads a whole file. <paramref name="columnNames"/> names the columns of a CSV file without a header row,
    /// and must be null for Parquet, whose schema names its columns.
    /// </summary>
    public static CsvTable Read(Stream stream, string source, string fileField, IReadOnlyList<string>? columnNames)
    {
        var (seekable, format) = Detect(stream);
        if (format == TableFormat.Parquet && columnNames is not null)
        {
            throw EngineException.Invalid("column_names",
                $"{source} is a Parquet file, which names its own columns, but the definition gives column names for a CSV file without a header. " +
                "Leave the column names out.");
        }

        return format == TableFormat.Csv
            ? CsvReader.Read(seekable, source, fileField, columnNames)
            : ParquetTableReader.Read(seekable, source, fileField);
    }

    /// <summary>
    /// Throws INVALID_ARGUMENT naming the file field when a dataset's table is wider or its cells longer than the
    /// limits. A preview does not call it, so it can still describe such a file.
    /// </summary>
    public static void CheckSize(CsvTable table, string fileField)
    {
        if (table.Columns.Count > MaxColumns)
        {
            throw EngineException.Invalid(fileField,
                $"{table.Source} has {table.Columns.Count:N0} columns; at most {MaxColumns:N0} are accepted. "
                + "Keep the label, the sensitive column and the features the model should use.",
                table.Columns.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        for (int column = 0; column < table.Columns.Count; column++)
        {
            var values = table.Values[column];
            for (int record = 0; record < values.Length; record++)
            {
                if (values[record].Length > MaxCellLength)
                {
                    throw EngineException.Invalid(fileField,
                        $"Column '{table.Columns[column]}' at {table.RecordName} {table.LineNumbers[record]} of {table.Source} holds "
                        + $"{values[record].Length:N0} characters; a value may have at most {MaxCellLength:N0}. Long free text is "
                        + "not a feature of a tabular model: drop the column, or check that the file's quotes are balanced.",
                        table.Columns[column]);
                }
            }
        }
    }

    /// <summary>
    /// Returns a seekable stream positioned where <paramref name="stream"/> was (the stream itself, or a copy of
    /// the rest of it) and the format its first bytes show.
    /// </summary>
    public static (Stream Stream, TableFormat Format) Detect(Stream stream)
    {
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        long start = stream.Position;
        Span<byte> head = stackalloc byte[4];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        return (stream, ParquetTableReader.IsParquet(head[..read]) ? TableFormat.Parquet : TableFormat.Csv);
    }
}
