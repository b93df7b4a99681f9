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
    /// Reads a whole file. <paramref name="columnNames"/> names the columns of a CSV file without a header row,
    /// and must be null for Parquet, whose schema names its columns.
    /// </summary>
    public static CsvTable Read(Stream stream, string source, string fileField, IReadOnlyList<string>? columnNames)
    {
        var (seekable, format) = Detect(stream);
        if (format == TableFormat.Csv)
            return CsvReader.Read(seekable, source, fileField, columnNames);

        if (columnNames is not null)
        {
            throw EngineException.Invalid("column_names",
                $"{source} is a Parquet file, which names its own columns, but the definition gives column names for a CSV file without a header. " +
                "Leave the column names out.");
        }

        return ParquetTableReader.Read(seekable, source, fileField);
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
