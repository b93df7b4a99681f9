namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// The columns of a dataset and the roles the definition gives them. Columns are numbered as the training
/// file's columns in file order, followed by the derived columns in definition order.
/// </summary>
internal sealed class DatasetColumns
{
    private DatasetColumns(
        IReadOnlyList<string> names,
        int fileColumnCount,
        int label,
        int sensitive,
        int[] features,
        int id)
    {
        Names = names;
        FileColumnCount = fileColumnCount;
        Label = label;
        Sensitive = sensitive;
        Features = features;
        Id = id;
    }

    public IReadOnlyList<string> Names { get; }

    public int FileColumnCount { get; }

    public int Label { get; }

    public int Sensitive { get; }

    /// <summary>Every column except the label and the ignored ones, in column order. The sensitive column is one of them.</summary>
    public int[] Features { get; }

    /// <summary>File column named "id" (any case) whose values name rows in messages, or -1.</summary>
    public int Id { get; }

    /// <summary>
    /// File column that contains the sensitive values: the sensitive column itself, or the source of a
    /// derived sensitive column. Messages about missing sensitive values name it.
    /// </summary>
    public string SensitiveFileColumn { get; private init; } = "";

    /// <summary>
    /// Resolves the definition's column names against the training file (and the test file, which must have
    /// the same columns). Throws <see cref="EngineException"/> that names the option and the column that is
    /// not found, and lists the columns.
    /// </summary>
    public static DatasetColumns Resolve(DatasetDefinition definition, CsvTable train, CsvTable? test)
    {
        if (test is not null)
            CheckSameColumns(train, test);

        var names = new List<string>(train.Columns);
        var fileColumns = new HashSet<string>(train.Columns, StringComparer.Ordinal);
        foreach (var derived in definition.DerivedColumns)
        {
            if (string.IsNullOrWhiteSpace(derived.Name))
                throw EngineException.Invalid("derived_columns", $"A derived column from '{derived.SourceColumn}' has no name. Give it a name.");

            if (names.Contains(derived.Name))
            {
                throw EngineException.Invalid(
                    "derived_columns",
                    $"Derived column '{derived.Name}' has the name of another column. Give it a name that is not in use. Columns: {List(names)}.",
                    derived.Name);
            }

            if (!fileColumns.Contains(derived.SourceColumn))
            {
                throw EngineException.Invalid(
                    "derived_columns",
                    $"Source column '{derived.SourceColumn}' of derived column '{derived.Name}' is not a column of {train.Source}. Columns: {List(train.Columns)}.",
                    derived.SourceColumn);
            }

            names.Add(derived.Name);
        }

        int label = ResolveLabel(definition.LabelColumn, names, train);
        int sensitive = names.IndexOf(definition.SensitiveColumn);
        if (sensitive < 0)
        {
            throw EngineException.Invalid(
                "sensitive_column",
                $"Sensitive column '{definition.SensitiveColumn}' is not a column of {train.Source} or a derived column. Columns: {List(names)}.",
                definition.SensitiveColumn);
        }

        var ignored = ResolveIgnored(definition, names, sensitive);
        var features = Enumerable.Range(0, names.Count).Where(c => c != label && !ignored.Contains(c)).ToArray();
        int id = train.Columns.ToList().FindIndex(c => string.Equals(c, "id", StringComparison.OrdinalIgnoreCase));
        string sensitiveFileColumn = sensitive < train.Columns.Count
            ? definition.SensitiveColumn
            : definition.DerivedColumns[sensitive - train.Columns.Count].SourceColumn;

        return new DatasetColumns(names, train.Columns.Count, label, sensitive, features, id)
        {
            SensitiveFileColumn = sensitiveFileColumn,
        };
    }

    /// <summary>Formats names as a comma-separated list for messages.</summary>
    public static string List(IEnumerable<string> names) => string.Join(", ", names);

    private static void CheckSameColumns(CsvTable train, CsvTable test)
    {
        var missing = train.Columns.Except(test.Columns, StringComparer.Ordinal).ToList();
        var extra = test.Columns.Except(train.Columns, StringComparer.Ordinal).ToList();
        if (missing.Count == 0 && extra.Count == 0)
            return;

        var problems = new List<string>();
        if (missing.Count > 0)
            problems.Add($"lacks {List(missing)}");
        if (extra.Count > 0)
            problems.Add($"has {List(extra)}, which {train.Source} does not");

        throw EngineException.Invalid(
            "test_file",
            $"{test.Source} {string.Join(" and ", problems)}. It needs the same columns as {train.Source}.",
            missing.Concat(extra).First());
    }

    private static int ResolveLabel(string labelColumn, List<string> names, CsvTable train)
    {
        int label = train.IndexOf(labelColumn);
        if (label >= 0)
            return label;

        string message = names.Contains(labelColumn)
            ? $"Label column '{labelColumn}' is a derived column, but the label must be a column of {train.Source}. Columns: {List(train.Columns)}."
            : $"Label column '{labelColumn}' is not a column of {train.Source}. Columns: {List(train.Columns)}.{HeaderlessHint(train)}";
        throw EngineException.Invalid("label_column", message, labelColumn);
    }

    /// <summary>
    /// Returns a sentence saying that the file may lack a header row when a column name is a number, as the first
    /// data row of a file without a header is, or an empty string.
    /// </summary>
    private static string HeaderlessHint(CsvTable train)
    {
        string? number = train.Columns.FirstOrDefault(name =>
            double.TryParse(name, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
        return number is null
            ? ""
            : $" Column name '{number}' is a number, so the file may have no header row. Add a header row that names the columns.";
    }

    private static HashSet<int> ResolveIgnored(DatasetDefinition definition, List<string> names, int sensitive)
    {
        var ignored = new HashSet<int>();
        foreach (string column in definition.IgnoredColumns)
        {
            int index = names.IndexOf(column);
            if (index < 0)
            {
                throw EngineException.Invalid(
                    "ignored_columns",
                    $"Ignored column '{column}' is not a column of the dataset. Columns: {List(names)}.",
                    column);
            }

            if (index == sensitive)
            {
                throw EngineException.Invalid(
                    "ignored_columns",
                    $"Sensitive column '{column}' cannot be ignored: it stays a feature column, and the model settings decide whether the model reads it.",
                    column);
            }

            ignored.Add(index);
        }

        return ignored;
    }
}
