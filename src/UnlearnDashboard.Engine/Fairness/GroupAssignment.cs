using System.Globalization;
using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Fairness;

/// <summary>
/// A numeric boundary that splits a column into two groups, for example German Credit's <c>age &lt;= 25</c>.
/// Rows with a value at or below <see cref="Boundary"/> fall in <see cref="AtOrBelowGroup"/>, the rest in
/// <see cref="AboveGroup"/>; each group is named by its side of the rule.
/// </summary>
/// <param name="Column">Numeric feature column, for example <c>age</c>.</param>
/// <param name="Boundary">Largest value of the lower group, inclusive.</param>
public sealed record NumericBoundaryRule(string Column, double Boundary)
{
    /// <summary>Name of the lower group, for example <c>age &lt;= 25</c>.</summary>
    public string AtOrBelowGroup => $"{Column} <= {Format(Boundary)}";

    /// <summary>Name of the upper group, for example <c>age &gt; 25</c>.</summary>
    public string AboveGroup => $"{Column} > {Format(Boundary)}";

    /// <summary>Rule as stated in reports, for example <c>age &lt;= 25 vs age &gt; 25</c>.</summary>
    public string Description => $"{AtOrBelowGroup} vs {AboveGroup}";

    /// <summary>Returns each row's group. Throws when a value of the column is not a number.</summary>
    public string[] Apply(TabularSplit split)
    {
        string[] values = GroupAssignment.ColumnValues(split, Column);
        var groups = new string[values.Length];
        for (int row = 0; row < values.Length; row++)
        {
            if (!double.TryParse(values[row], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw EngineException.Invalid("group_rule",
                    $"Value '{values[row]}' of column '{Column}' (row id {split.RowIds[row]}) is not a number, so the rule {Description} cannot place it.",
                    values[row]);
            }

            groups[row] = value <= Boundary ? AtOrBelowGroup : AboveGroup;
        }

        return groups;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// The group of every row of a split under one grouping rule: a single sensitive column, the intersection of
/// several columns, or a numeric boundary. Carries the rule's text and the group sizes for reports.
/// </summary>
public sealed record GroupAssignment
{
    /// <summary>Separator between attribute values in an intersection name, as in <c>Female|Black</c>.</summary>
    public const string IntersectionSeparator = "|";

    /// <summary>Attribute name used in reports, for example <c>sex</c>, <c>sex|race</c> or <c>age</c>.</summary>
    public required string Attribute { get; init; }

    /// <summary>The rule in words, for example <c>sex|race: one group per combination of values</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>Group of each row, aligned with the split's rows.</summary>
    public required string[] Groups { get; init; }

    /// <summary>Groups in report order: largest first, ties by ordinal name.</summary>
    public IReadOnlyList<string> Order =>
        Sizes.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();

    /// <summary>Rows per group.</summary>
    public IReadOnlyDictionary<string, long> Sizes =>
        Groups.GroupBy(g => g, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

    /// <summary>Groups rows by the values of one column.</summary>
    public static GroupAssignment ForColumn(TabularSplit split, string column) => new()
    {
        Attribute = column,
        Rule = $"{column}: one group per value",
        Groups = (string[])ColumnValues(split, column).Clone(),
    };

    /// <summary>
    /// Groups rows by the combination of several columns' values, named by joining the values with
    /// <see cref="IntersectionSeparator"/> in the order the columns are given (<c>Female|Black</c> for sex, race).
    /// One column gives the same groups as <see cref="ForColumn"/>.
    /// </summary>
    public static GroupAssignment ForIntersection(TabularSplit split, IReadOnlyList<string> columns)
    {
        if (columns.Count == 0)
            throw EngineException.Invalid("group_columns", "An intersection needs at least one column.");
        if (columns.Count == 1)
            return ForColumn(split, columns[0]);

        var values = columns.Select(c => ColumnValues(split, c)).ToList();
        string attribute = string.Join(IntersectionSeparator, columns);
        return new GroupAssignment
        {
            Attribute = attribute,
            Rule = $"{attribute}: one group per combination of values",
            Groups = Intersect(values),
        };
    }

    /// <summary>Groups rows by a numeric boundary rule.</summary>
    public static GroupAssignment ForBoundary(TabularSplit split, NumericBoundaryRule rule) => new()
    {
        Attribute = rule.Column,
        Rule = rule.Description,
        Groups = rule.Apply(split),
    };

    /// <summary>Joins aligned value columns row by row with <see cref="IntersectionSeparator"/>.</summary>
    public static string[] Intersect(IReadOnlyList<IReadOnlyList<string>> columns)
    {
        if (columns.Count == 0)
            return [];

        int rows = columns[0].Count;
        if (columns.Any(c => c.Count != rows))
            throw new ArgumentException($"Group columns differ in length: {string.Join(", ", columns.Select(c => c.Count))}.", nameof(columns));

        var groups = new string[rows];
        for (int row = 0; row < rows; row++)
            groups[row] = string.Join(IntersectionSeparator, columns.Select(c => c[row]));
        return groups;
    }

    /// <summary>Returns a feature column's values, or throws naming the columns the split has.</summary>
    internal static string[] ColumnValues(TabularSplit split, string column)
    {
        for (int i = 0; i < split.FeatureColumns.Count; i++)
        {
            if (split.FeatureColumns[i] == column)
                return split.FeatureValues[i];
        }

        throw EngineException.Invalid("group_columns",
            $"Column '{column}' is not a feature column of split '{split.Name}'. Columns: {string.Join(", ", split.FeatureColumns)}.",
            column);
    }
}
