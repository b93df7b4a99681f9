using System.Globalization;
using System.Text.RegularExpressions;

namespace UnlearnDashboard.Engine.Data;

/// <summary>What a file holds, shown before it is registered as a dataset.</summary>
public sealed record DatasetPreview(string Source, TableFormat Format, int RowCount, IReadOnlyList<ColumnPreview> Columns);

/// <summary>One column of a <see cref="DatasetPreview"/>.</summary>
public sealed record ColumnPreview
{
    public required string Name { get; init; }

    /// <summary>"numeric" when every present value is a finite number, otherwise "categorical".</summary>
    public required string Kind { get; init; }

    /// <summary>Parquet type of the column, for example "INT64" or "BYTE_ARRAY (UTF8)"; null for CSV.</summary>
    public string? StorageType { get; init; }

    /// <summary>Values that are missing: '?', empty, or null in Parquet.</summary>
    public int MissingCount { get; init; }

    public int DistinctCount { get; init; }

    /// <summary>Smallest and largest value of a numeric column.</summary>
    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>The most frequent values with their counts, most frequent first, at most <see cref="DatasetPreviewer.MaxValuesListed"/>.</summary>
    public IReadOnlyList<ValueCount> TopValues { get; init; } = [];

    /// <summary>Why the column may be a sensitive attribute, or null when nothing suggests it.</summary>
    public string? SensitiveReason { get; init; }

    /// <summary>Why the column may be the label, or null when it has not exactly two values.</summary>
    public string? LabelReason { get; init; }

    /// <summary>
    /// The values of a label candidate with their counts, trimmed and without one trailing '.' because the
    /// dataset loader compares labels that way. Empty for other columns.
    /// </summary>
    public IReadOnlyList<ValueCount> LabelValues { get; init; } = [];
}

public sealed record ValueCount(string Value, int Count);

/// <summary>
/// Reads a CSV or Parquet file and describes its columns: type, missing and distinct counts, frequent values,
/// and which columns may be sensitive attributes or the label.
/// </summary>
public static partial class DatasetPreviewer
{
    public const int MaxValuesListed = 10;

    /// <summary>
    /// Name words of attributes that anti-discrimination law commonly protects, and of proxies that name them
    /// (German Credit's personal_status_sex). A column is a candidate when a word of its name is one of these.
    /// </summary>
    private static readonly HashSet<string> SensitiveWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "sex", "gender", "race", "ethnicity", "ethnic", "age", "religion", "marital", "nationality", "country",
        "citizenship", "disability", "pregnancy", "color", "colour", "origin",
    };

    /// <summary>Reads the whole file and describes its columns. Throws <see cref="EngineException"/> for a file that cannot be read.</summary>
    public static DatasetPreview Preview(Stream stream, string source, CancellationToken cancellationToken)
    {
        var (seekable, format) = TableReader.Detect(stream);
        long start = seekable.Position;
        var table = TableReader.Read(seekable, source, "file", null);
        IReadOnlyDictionary<string, string>? storageTypes = null;
        if (format == TableFormat.Parquet)
        {
            seekable.Position = start;
            storageTypes = ParquetTableReader.ReadColumnTypes(seekable);
        }

        var columns = new List<ColumnPreview>(table.Columns.Count);
        for (int c = 0; c < table.Columns.Count; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            columns.Add(DescribeColumn(table.Columns[c], table.Values[c], storageTypes?.GetValueOrDefault(table.Columns[c])));
        }

        return new DatasetPreview(source, format, table.RecordCount, columns);
    }

    private static ColumnPreview DescribeColumn(string name, string[] values, string? storageType)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int missing = 0;
        bool numeric = true;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        foreach (string value in values)
        {
            if (DatasetFile.IsMissing(value))
            {
                missing++;
                continue;
            }

            ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, value, out bool existed);
            count++;
            if (existed || !numeric)
                continue;

            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
            {
                min = Math.Min(min, number);
                max = Math.Max(max, number);
            }
            else
            {
                numeric = false;
            }
        }

        numeric &= counts.Count > 0;
        var labelValues = counts
            .GroupBy(p => NormalizeLabel(p.Key), StringComparer.Ordinal)
            .Select(g => new ValueCount(g.Key, g.Sum(p => p.Value)))
            .OrderBy(v => v.Value, StringComparer.Ordinal)
            .ToList();
        bool binary = labelValues.Count == 2;

        return new ColumnPreview
        {
            Name = name,
            Kind = numeric ? "numeric" : "categorical",
            StorageType = storageType,
            MissingCount = missing,
            DistinctCount = counts.Count,
            Min = numeric ? min : null,
            Max = numeric ? max : null,
            TopValues = counts
                .OrderByDescending(p => p.Value)
                .ThenBy(p => p.Key, StringComparer.Ordinal)
                .Take(MaxValuesListed)
                .Select(p => new ValueCount(p.Key, p.Value))
                .ToList(),
            SensitiveReason = SensitiveReason(name, numeric, counts.Count),
            LabelReason = binary ? $"it has exactly two values, {labelValues[0].Value} and {labelValues[1].Value}" : null,
            LabelValues = binary ? labelValues : [],
        };
    }

    private static string? SensitiveReason(string name, bool numeric, int distinct)
    {
        string? word = NameWords().Matches(name).Select(m => m.Value).FirstOrDefault(SensitiveWords.Contains);
        if (word is null)
            return null;

        string reason = $"its name contains '{word.ToLowerInvariant()}', a commonly protected attribute";
        return numeric && distinct > 10
            ? reason + $"; it is numeric with {distinct} values, so derive groups from it (for example age bands) before using it"
            : reason;
    }

    /// <summary>Trims a label and drops one trailing '.', as the dataset loader compares labels.</summary>
    private static string NormalizeLabel(string value)
    {
        string trimmed = value.Trim();
        return trimmed.EndsWith('.') ? trimmed[..^1] : trimmed;
    }

    // Letters of a column name split at separators and camel-case humps: "personal_status_sex", "nativeCountry".
    [GeneratedRegex("[A-Z]?[a-z]+|[A-Z]+(?![a-z])")]
    private static partial Regex NameWords();
}
