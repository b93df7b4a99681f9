using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>
/// Original rows and their counterfactuals side by side: row i of <see cref="Original"/> and row i of
/// <see cref="Counterfactual"/> have the same row id and label, and differ only in
/// <see cref="MappedColumns"/>. The counterfactual rows' groups are their mapped sensitive values.
/// </summary>
public sealed class CounterfactualSet
{
    /// <summary>Pairs two splits; throws <see cref="ArgumentException"/> when their row ids, labels or columns differ.</summary>
    public CounterfactualSet(string sensitiveColumn, IReadOnlyList<string> mappedColumns, TabularSplit original, TabularSplit counterfactual)
    {
        if (!original.RowIds.SequenceEqual(counterfactual.RowIds))
            throw new ArgumentException("The original and counterfactual rows must have the same row ids in the same order.", nameof(counterfactual));
        if (!original.Labels.SequenceEqual(counterfactual.Labels))
            throw new ArgumentException("The original and counterfactual rows must have the same labels.", nameof(counterfactual));
        if (!original.FeatureColumns.SequenceEqual(counterfactual.FeatureColumns))
            throw new ArgumentException("The original and counterfactual rows must have the same feature columns.", nameof(counterfactual));

        SensitiveColumn = sensitiveColumn;
        MappedColumns = mappedColumns;
        Original = original;
        Counterfactual = counterfactual;
    }

    /// <summary>The sensitive column; its values are the rows' groups.</summary>
    public string SensitiveColumn { get; }

    /// <summary>Columns that may differ between a row and its counterfactual: the sensitive column, then the proxies.</summary>
    public IReadOnlyList<string> MappedColumns { get; }

    /// <summary>The source rows, in sample order.</summary>
    public TabularSplit Original { get; }

    /// <summary>The mapped rows, in the same order as <see cref="Original"/>.</summary>
    public TabularSplit Counterfactual { get; }

    public int Count => Original.Count;

    /// <summary>Name of the CSV column that tells the two kinds of row apart.</summary>
    public const string RoleColumn = "role";

    /// <summary>Name of the CSV column with each row's id.</summary>
    public const string RowIdColumn = "row_id";

    /// <summary>Name of the CSV column with each row's label, 1 for the favourable outcome and 0 otherwise.</summary>
    public const string LabelColumn = "label";

    /// <summary>Value of <see cref="RoleColumn"/> for an original row.</summary>
    public const string OriginalRole = "original";

    /// <summary>Value of <see cref="RoleColumn"/> for a counterfactual row.</summary>
    public const string CounterfactualRole = "counterfactual";

    /// <summary>
    /// Writes the set as one UTF-8 CSV file: a header <c>role,row_id,label,mapped_columns,&lt;feature columns&gt;</c>
    /// (<c>mapped_columns</c> lists <see cref="MappedColumns"/> separated by ';', the same on every row),
    /// then every original row followed by its counterfactual. The same set always writes the same bytes,
    /// so the file can be stored content-addressed.
    /// </summary>
    public void WriteCsv(Stream destination) => CounterfactualCsv.Write(this, destination);

    /// <summary>
    /// Reads a set written by <see cref="WriteCsv"/>. Throws <see cref="EngineException"/> (invalid argument,
    /// field <c>counterfactual_set</c>) when the file is not such a set: a missing column, an unknown role, an
    /// original without its counterfactual, or a pair that differs outside the mapped columns.
    /// </summary>
    /// <param name="sensitiveColumn">The sensitive column, whose values become the rows' groups.</param>
    /// <param name="source">The CSV file.</param>
    /// <param name="sourceName">Name of the file, for messages.</param>
    public static CounterfactualSet ReadCsv(Stream source, string sensitiveColumn, string sourceName) =>
        CounterfactualCsv.Read(source, sensitiveColumn, sourceName);
}
