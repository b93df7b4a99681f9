using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// Reads a Parquet file into the same column-of-strings table as a CSV file, with Parquet.Net. Every top-level
/// column must be a flat (non-repeated, non-nested) value. A null is a missing value, as an empty CSV cell is.
/// Numbers are written in invariant culture, floating point in round-trip form. Strings are trimmed, and byte
/// arrays are decoded as UTF-8. Records are named "row N", 1-based over the whole file.
/// </summary>
internal static class ParquetTableReader
{
    /// <summary>"PAR1", the 4 bytes at the start and end of every Parquet file.</summary>
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Returns true when the bytes start with the Parquet magic number.</summary>
    public static bool IsParquet(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>
    /// Reads a whole Parquet file. Throws <see cref="EngineException"/> (invalid argument, field
    /// <paramref name="fileField"/>) for a damaged file, a nested or repeated column, a column type that has no
    /// text form here and a file with no rows.
    /// </summary>
    public static CsvTable Read(Stream stream, string source, string fileField)
    {
        try
        {
            return ReadAsync(stream, source, fileField).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception error) when (error is not EngineException and not OperationCanceledException)
        {
            throw EngineException.Invalid(fileField, $"{source} could not be read as a Parquet file: {error.Message}", source);
        }
    }

    /// <summary>Returns the Parquet type of each top-level column, for example "INT64" or "BYTE_ARRAY (UTF8)".</summary>
    public static IReadOnlyDictionary<string, string> ReadColumnTypes(Stream stream) =>
        ReadColumnTypesAsync(stream).GetAwaiter().GetResult();

    private static async Task<IReadOnlyDictionary<string, string>> ReadColumnTypesAsync(Stream stream)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in reader.Schema.DataFields)
        {
            var element = field.SchemaElement;
            string physical = element?.Type?.ToString() ?? field.ClrType.Name;
            string? logical = element?.LogicalType?.STRING is not null ? "String"
                : element?.ConvertedType?.ToString();
            types[field.Name] = logical is null ? physical : $"{physical} ({logical})";
        }

        return types;
    }

    private static async ValueTask<CsvTable> ReadAsync(Stream stream, string source, string fileField)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true);
        var fields = reader.Schema.DataFields;
        foreach (var field in reader.Schema.Fields)
        {
            if (field.SchemaType != SchemaType.Data || field.MaxRepetitionLevel > 0 || ((DataField)field).IsArray)
            {
                throw EngineException.Invalid(fileField,
                    $"Column '{field.Name}' of {source} is a {field.SchemaType} column; only flat columns of numbers, text, booleans and dates can be read. " +
                    "Flatten the file before importing it.",
                    field.Name);
            }
        }

        long rowCount = reader.RowGroups.Sum(g => g.RowCount);
        if (rowCount == 0)
            throw EngineException.Invalid(fileField, $"{source} has no rows.", source);
        if (rowCount > int.MaxValue)
            throw EngineException.Invalid(fileField, $"{source} has {rowCount} rows; at most {int.MaxValue} can be read.", source);

        var values = fields.Select(_ => new string[rowCount]).ToArray();
        int offset = 0;
        for (int group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            int count = checked((int)rowGroup.RowCount);
            for (int c = 0; c < fields.Length; c++)
                await ReadColumnAsync(rowGroup, fields[c], values[c].AsMemory(offset, count), source, fileField);
            offset += count;
        }

        return new CsvTable
        {
            Source = source,
            Columns = fields.Select(f => f.Name).ToList(),
            Values = values,
            LineNumbers = Enumerable.Range(1, (int)rowCount).ToArray(),
            RecordName = "row",
        };
    }

    private static ValueTask ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, Memory<string> target, string source, string fileField)
    {
        var type = field.ClrType;
        // Parquet.Net 6 gives text columns the CLR type ReadOnlyMemory<char> and reads them into strings too.
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
            return ReadStringsAsync(rowGroup, field, target);
        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>))
            return ReadBytesAsync(rowGroup, field, target);
        if (type == typeof(bool))
            return ReadAsync<bool>(rowGroup, field, target, v => v ? "true" : "false");
        if (type == typeof(sbyte))
            return ReadAsync<sbyte>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(byte))
            return ReadAsync<byte>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(short))
            return ReadAsync<short>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(ushort))
            return ReadAsync<ushort>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(int))
            return ReadAsync<int>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(uint))
            return ReadAsync<uint>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(long))
            return ReadAsync<long>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(ulong))
            return ReadAsync<ulong>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(float))
            return ReadAsync<float>(rowGroup, field, target, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (type == typeof(double))
            return ReadAsync<double>(rowGroup, field, target, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (type == typeof(decimal))
            return ReadAsync<decimal>(rowGroup, field, target, v => v.ToString(CultureInfo.InvariantCulture));
        if (type == typeof(DateTime))
            return ReadAsync<DateTime>(rowGroup, field, target, v => v.ToString("O", CultureInfo.InvariantCulture));
        if (type == typeof(DateOnly))
            return ReadAsync<DateOnly>(rowGroup, field, target, v => v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        throw EngineException.Invalid(fileField,
            $"Column '{field.Name}' of {source} has type {type.Name}, which cannot be read as a dataset column. " +
            "Convert it to a number, a string, a boolean or a date.",
            field.Name);
    }

    private static async ValueTask ReadStringsAsync(ParquetRowGroupReader rowGroup, DataField field, Memory<string> target)
    {
        var strings = new string?[target.Length];
        await rowGroup.ReadAsync(field, strings.AsMemory());
        var span = target.Span;
        for (int i = 0; i < span.Length; i++)
            span[i] = strings[i]?.Trim() ?? "";
    }

    private static async ValueTask ReadBytesAsync(ParquetRowGroupReader rowGroup, DataField field, Memory<string> target)
    {
        var bytes = new byte[]?[target.Length];
        await rowGroup.ReadAsync(field, bytes.AsMemory());
        var span = target.Span;
        for (int i = 0; i < span.Length; i++)
            span[i] = bytes[i] is { } value ? Encoding.UTF8.GetString(value).Trim() : "";
    }

    private static async ValueTask ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, Memory<string> target, Func<T, string> format)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[target.Length];
            await rowGroup.ReadAsync(field, nullable.AsMemory());
            var span = target.Span;
            for (int i = 0; i < span.Length; i++)
                span[i] = nullable[i] is { } value ? format(value) : "";
        }
        else
        {
            var plain = new T[target.Length];
            await rowGroup.ReadAsync(field, plain.AsMemory());
            var span = target.Span;
            for (int i = 0; i < span.Length; i++)
                span[i] = format(plain[i]);
        }
    }
}
