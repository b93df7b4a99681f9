using System.Globalization;

namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// Reads, validates and splits a CSV or Parquet dataset. A value is missing when it is '?' or empty after trimming.
/// A row with a missing feature value is dropped and counted. A missing label or sensitive value rejects
/// the dataset, unless the definition's policy for that column is Exclude: then the row is left out and
/// counted. Messages name a row by the value of the file's "id" column (any case) when it has one,
/// otherwise by "line N", the 1-based line in the file where the record starts (for Parquet "row N").
/// </summary>
public static class DatasetLoader
{
    /// <summary>Rows listed by name in a message; the rest are counted.</summary>
    private const int MaxRowsListed = 10;

    /// <summary>
    /// Share of numeric values above which a column with some non-numeric values is taken to be a numeric
    /// column with bad values, rather than a categorical column.
    /// </summary>
    private const double MostlyNumericShare = 0.9;

    /// <summary>
    /// Minimum number of complete rows for which a text column with a different value in every row is taken for an
    /// identifier. In a smaller file a column such as a city can differ in every row without being one.
    /// </summary>
    private const int MinRowsForIdentifierCheck = 50;

    /// <summary>
    /// Loads a dataset from a training CSV and an optional test CSV. Without a test file the training file is
    /// split into train, validation and test; with one it is split into train and validation.
    /// </summary>
    /// <param name="trainSource">Name of the training file, for messages; only its file name is shown.</param>
    /// <param name="testSource">Name of the test file, for messages.</param>
    /// <param name="testHasHeader">
    /// True when a CSV test file must start with a header row. Otherwise a first row that names none of the training
    /// file's columns is read as data, as in UCI's headerless test files.
    /// </param>
    /// <exception cref="EngineException">
    /// Invalid argument, naming the column, row or option, when a file or the definition is invalid.
    /// </exception>
    public static PreparedDataset Load(
        DatasetDefinition definition,
        Stream trainCsv,
        string trainSource,
        Stream? testCsv = null,
        string? testSource = null,
        bool testHasHeader = false)
    {
        ValidateOptions(definition, testCsv is not null);

        var trainTable = TableReader.Read(trainCsv, FileName(trainSource), "train_file", definition.ColumnNames);
        TableReader.CheckSize(trainTable, "train_file");
        var testTable = testCsv is null
            ? null
            : ReadTestTable(testCsv, FileName(testSource ?? "test file"), definition, trainTable, testHasHeader);
        if (testTable is not null)
            TableReader.CheckSize(testTable, "test_file");
        var columns = DatasetColumns.Resolve(definition, trainTable, testTable);

        var files = new List<DatasetFile> { DatasetFile.Create(trainTable, columns, definition, 0) };
        if (testTable is not null)
            files.Add(DatasetFile.Create(testTable, columns, definition, trainTable.RecordCount));

        MarkIncompleteRows(files, columns, definition);
        var labelValues = FindLabelValues(files, columns, definition);
        string favourable = ResolveFavourable(definition, labelValues);
        var numericColumns = FindNumericColumns(files, columns);
        CheckRowsLeft(files, columns);
        CheckNoIdentifierColumn(files, columns, numericColumns);

        var labels = files.Select(f => LabelsOf(f, columns.Label, favourable)).ToList();
        var splits = SplitRows(files, labels, columns, definition);
        var groups = OrderGroups(files, columns, splits.Train, definition.ReferenceGroup?.Trim());
        string reference = ResolveReferenceGroup(definition, groups);

        return new PreparedDataset
        {
            Definition = definition.FavourableLabel == favourable ? definition : definition with { FavourableLabel = favourable },
            Train = BuildSplit("train", files[0], labels[0], splits.Train, columns),
            Validation = BuildSplit("validation", files[0], labels[0], splits.Validation, columns),
            Test = files.Count > 1
                ? BuildSplit("test", files[1], labels[1], CompleteRecords(files[1]), columns)
                : BuildSplit("test", files[0], labels[0], splits.Test, columns),
            DroppedRows = files.Sum(f => f.States.Count(s => s == RowState.Dropped)),
            ExcludedRows = files.Sum(f => f.States.Count(s => s == RowState.Excluded)),
            Groups = groups,
            ReferenceGroup = reference,
            NumericColumns = numericColumns,
            LabelValues = labelValues,
            Files = files.Select(Summarize).ToList(),
        };
    }

    /// <summary>
    /// Reads the test file, as Parquet when it starts with "PAR1". UCI publishes test files without a header
    /// (adult.test). So when a CSV test file's first record shares no value with the training file's column names
    /// and has as many fields, the file is read as headerless data with the training file's column names.
    /// </summary>
    internal static CsvTable ReadTestTable(Stream testCsv, string source, DatasetDefinition definition, CsvTable trainTable, bool hasHeader = false)
    {
        var (stream, format) = TableReader.Detect(testCsv);
        if (format == TableFormat.Parquet || definition.ColumnNames is not null || hasHeader)
            return TableReader.Read(stream, source, "test_file", definition.ColumnNames);

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        CsvTable? withHeader = null;
        EngineException? headerError = null;
        try
        {
            buffer.Position = 0;
            withHeader = CsvReader.Read(buffer, source, "test_file", null);
            if (withHeader.Columns.ToHashSet().SetEquals(trainTable.Columns))
                return withHeader;
        }
        catch (EngineException error)
        {
            headerError = error;
        }

        if (withHeader is not null
            && (withHeader.Columns.Count != trainTable.Columns.Count || withHeader.Columns.Intersect(trainTable.Columns).Any()))
        {
            return withHeader;
        }

        try
        {
            buffer.Position = 0;
            return CsvReader.Read(buffer, source, "test_file", trainTable.Columns);
        }
        catch (EngineException) when (headerError is not null)
        {
            // Neither reading fits; the error about the header is the one that explains the file.
            throw headerError;
        }
    }

    private static void ValidateOptions(DatasetDefinition definition, bool hasTestFile)
    {
        if (string.IsNullOrWhiteSpace(definition.LabelColumn))
            throw EngineException.Invalid("label_column", "The label column is missing. Set it to the column that contains the outcome.");

        if (string.IsNullOrWhiteSpace(definition.SensitiveColumn))
            throw EngineException.Invalid("sensitive_column", "The sensitive column is missing. Set it to the column that contains the groups, for example 'sex'.");

        if (definition.LabelColumn == definition.SensitiveColumn)
        {
            throw EngineException.Invalid(
                "sensitive_column",
                $"Column '{definition.LabelColumn}' is set as both the label and the sensitive column. Choose different columns.",
                definition.LabelColumn);
        }

        CheckFraction("validation_fraction", definition.ValidationFraction);
        if (hasTestFile)
            return;

        CheckFraction("test_fraction", definition.TestFraction);
        if (definition.ValidationFraction + definition.TestFraction >= 1)
        {
            throw EngineException.Invalid(
                "test_fraction",
                $"Validation fraction {Format(definition.ValidationFraction)} plus test fraction {Format(definition.TestFraction)} " +
                "leaves no rows for training. Their sum must be less than 1.",
                Format(definition.TestFraction));
        }
    }

    private static void CheckFraction(string field, double fraction)
    {
        if (!(fraction >= 0 && fraction < 1))
            throw EngineException.Invalid(field, $"The {field.Replace('_', ' ')} {Format(fraction)} is invalid. It must be at least 0 and less than 1.", Format(fraction));
    }

    /// <summary>
    /// Sets each record's state. A missing label or sensitive value is checked first, so such a row counts
    /// as excluded even when a feature value is missing too.
    /// </summary>
    private static void MarkIncompleteRows(List<DatasetFile> files, DatasetColumns columns, DatasetDefinition definition)
    {
        var missingLabels = new List<(DatasetFile File, int Record)>();
        var missingSensitive = new List<(DatasetFile File, int Record)>();
        foreach (var file in files)
        {
            string[] labels = file.Columns[columns.Label];
            string[] groups = file.Columns[columns.Sensitive];
            for (int r = 0; r < file.RecordCount; r++)
            {
                bool labelMissing = DatasetFile.IsMissing(labels[r]);
                bool sensitiveMissing = DatasetFile.IsMissing(groups[r]);
                if (labelMissing && definition.MissingLabel == MissingValuePolicy.Reject)
                    missingLabels.Add((file, r));
                if (sensitiveMissing && definition.MissingSensitive == MissingValuePolicy.Reject)
                    missingSensitive.Add((file, r));

                if (labelMissing || sensitiveMissing)
                    file.States[r] = RowState.Excluded;
                else if (HasMissingFeature(file, columns, r))
                    file.States[r] = RowState.Dropped;
            }
        }

        if (missingLabels.Count > 0)
        {
            string column = definition.LabelColumn;
            throw EngineException.Invalid(
                column,
                $"Label column '{column}' has missing values in {DescribeRows(missingLabels, columns.Label)}. " +
                "Fill them in, or set the missing-label policy to Exclude to leave these rows out.",
                column);
        }

        if (missingSensitive.Count > 0)
        {
            string column = columns.SensitiveFileColumn;
            string what = column == definition.SensitiveColumn
                ? $"Sensitive column '{column}'"
                : $"Column '{column}', the source of sensitive column '{definition.SensitiveColumn}',";
            throw EngineException.Invalid(
                column,
                $"{what} has missing values in {DescribeRows(missingSensitive, columns.Sensitive)}. " +
                "Fill them in, or set the missing-sensitive policy to Exclude to leave these rows out.",
                column);
        }
    }

    private static bool HasMissingFeature(DatasetFile file, DatasetColumns columns, int record)
    {
        foreach (int c in columns.Features)
        {
            if (DatasetFile.IsMissing(file.Columns[c][record]))
                return true;
        }

        return false;
    }

    /// <summary>Describes rows and their cell in <paramref name="column"/>, for example "2 rows of data.csv: r05 ('?'), r09 (empty)".</summary>
    private static string DescribeRows(List<(DatasetFile File, int Record)> rows, int column)
    {
        bool oneFile = rows.All(r => r.File == rows[0].File);
        var named = rows.Take(MaxRowsListed).Select(r =>
        {
            string cell = r.File.Columns[column][r.Record].Length == 0 ? "empty" : $"'{r.File.Columns[column][r.Record]}'";
            string name = oneFile ? r.File.NameRow(r.Record) : $"{r.File.Source} {r.File.NameRow(r.Record)}";
            return $"{name} ({cell})";
        });

        string list = string.Join(", ", named);
        if (rows.Count > MaxRowsListed)
            list += $" and {rows.Count - MaxRowsListed} more";

        string count = rows.Count == 1 ? "1 row" : $"{rows.Count} rows";
        return oneFile ? $"{count} of {rows[0].File.Source}: {list}" : $"{count}: {list}";
    }

    /// <summary>Returns the distinct label values of all records, after trimming and dropping one trailing '.', in ordinal order.</summary>
    private static IReadOnlyList<string> FindLabelValues(List<DatasetFile> files, DatasetColumns columns, DatasetDefinition definition)
    {
        var raw = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (string value in file.Columns[columns.Label])
            {
                if (!DatasetFile.IsMissing(value))
                    raw.Add(value);
            }
        }

        var values = raw.Select(NormalizeLabel).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (values.Count == 2)
            return values;

        string column = definition.LabelColumn;
        ThrowIfTestFileAddsLabel(files, columns, column);
        string found = values.Count <= 20
            ? $"{{{DatasetColumns.List(values)}}}"
            : $"{{{DatasetColumns.List(values.Take(20))}, ...}}";
        throw EngineException.Invalid(
            column,
            $"Label column '{column}' must have exactly two values after trimming and dropping one trailing '.', " +
            $"but it has {values.Count}: {found}. Choose a binary label column or map the labels to two values.",
            column);
    }

    /// <summary>
    /// Throws naming the first row of a later file with a label that the training file (the first file) lacks. It
    /// checks only when the training file alone has two labels, because then the later file is at fault.
    /// </summary>
    private static void ThrowIfTestFileAddsLabel(List<DatasetFile> files, DatasetColumns columns, string column)
    {
        var trainLabels = files[0].Columns[columns.Label]
            .Where(value => !DatasetFile.IsMissing(value))
            .Select(NormalizeLabel)
            .ToHashSet(StringComparer.Ordinal);
        if (trainLabels.Count != 2)
            return;

        foreach (var file in files.Skip(1))
        {
            string[] labels = file.Columns[columns.Label];
            for (int record = 0; record < labels.Length; record++)
            {
                if (DatasetFile.IsMissing(labels[record]) || trainLabels.Contains(NormalizeLabel(labels[record])))
                    continue;

                throw EngineException.Invalid(
                    column,
                    $"{file.Source} {file.NameRow(record)} has the label '{labels[record]}' in column '{column}', which {files[0].Source} " +
                    $"does not have; its labels are {DatasetColumns.List(trainLabels.Order(StringComparer.Ordinal))}. Use one of those.",
                    labels[record]);
            }
        }
    }

    /// <summary>Trims a label and drops one trailing '.', so adult.test's " >50K." equals ">50K".</summary>
    private static string NormalizeLabel(string value)
    {
        string trimmed = value.Trim();
        return trimmed.EndsWith('.') ? trimmed[..^1] : trimmed;
    }

    /// <summary>
    /// Returns the normalised favourable label. An empty one is taken as "1" when the labels are {0, 1}, and is
    /// an error otherwise, because a guess could turn a 1/2 coding (German Credit: 1 = good) upside down.
    /// </summary>
    private static string ResolveFavourable(DatasetDefinition definition, IReadOnlyList<string> labelValues)
    {
        string column = definition.LabelColumn;
        string values = $"{{{DatasetColumns.List(labelValues)}}}";
        string favourable = NormalizeLabel(definition.FavourableLabel ?? "");
        if (favourable.Length == 0)
        {
            if (labelValues.SequenceEqual(["0", "1"]))
                return "1";

            // The error names the label column, because its 1/2 coding, not a value the request gave, needs the setting.
            throw EngineException.Invalid(
                column,
                $"No favourable label is set, and label column '{column}' has values {values} rather than {{0, 1}}. " +
                "Set the favourable label to the value of the favourable outcome.",
                "");
        }

        if (labelValues.Contains(favourable))
            return favourable;

        throw EngineException.Invalid(
            "favourable_label",
            $"Favourable label '{favourable}' is not a value of label column '{column}', whose values are {values}. " +
            "Set the favourable label to one of them.",
            favourable);
    }

    /// <summary>
    /// Returns the feature columns whose every non-missing value, over all records of both files, parses as
    /// a finite invariant-culture number. Throws <see cref="EngineException"/> for a column that is mostly
    /// numeric but has some values that are not numbers, naming the first of them.
    /// </summary>
    private static HashSet<string> FindNumericColumns(List<DatasetFile> files, DatasetColumns columns)
    {
        var numeric = new HashSet<string>(StringComparer.Ordinal);
        foreach (int c in columns.Features)
        {
            int numbers = 0;
            int others = 0;
            (DatasetFile File, int Record, string Value)? firstOther = null;
            foreach (var file in files)
            {
                string[] values = file.Columns[c];
                string? previous = null;
                bool previousIsNumber = false;
                for (int r = 0; r < values.Length; r++)
                {
                    string value = values[r];
                    if (DatasetFile.IsMissing(value))
                        continue;

                    // Values are interned per column, so a repeated value is often the same string as the last one.
                    if (!ReferenceEquals(value, previous))
                    {
                        previous = value;
                        previousIsNumber = IsNumber(value);
                    }

                    if (previousIsNumber)
                    {
                        numbers++;
                    }
                    else
                    {
                        others++;
                        firstOther ??= (file, r, value);
                    }
                }
            }

            if (others == 0 && numbers > 0)
                numeric.Add(columns.Names[c]);
            else if (others > 0 && numbers >= MostlyNumericShare * (numbers + others))
                throw TextInNumericColumn(columns.Names[c], numbers, others, firstOther!.Value);
        }

        return numeric;
    }

    private static bool IsNumber(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number);

    private static EngineException TextInNumericColumn(string column, int numbers, int others, (DatasetFile File, int Record, string Value) first) =>
        EngineException.Invalid(
            column,
            $"Column '{column}' contains numbers in {Count(numbers)} of its {Count(numbers + others)} values, but {first.File.NameRow(first.Record)} " +
            $"of {first.File.Source} contains '{first.Value}', which is not a number ({Count(others)} such values). " +
            "Correct the value, or write '?' or leave the cell empty to mark it missing.",
            first.Value);

    private static void CheckRowsLeft(List<DatasetFile> files, DatasetColumns columns)
    {
        foreach (var file in files)
        {
            if (file.States.Any(s => s == RowState.Complete))
                continue;

            var missing = Summarize(file).MissingValues.Where(m => m.Value > 0).Select(m => $"{m.Key} {Count(m.Value)}");
            throw EngineException.Invalid(
                file == files[0] ? "train_file" : "test_file",
                $"No rows of {file.Source} are left: each of its {Count(file.RecordCount)} rows has a missing value ('?' or empty). " +
                $"Missing values per column: {DatasetColumns.List(missing)}. Fill in the values, or ignore the columns that lack them.",
                file.Source);
        }

        var groups = files.SelectMany(f => CompleteRecords(f).Select(r => f.Columns[columns.Sensitive][r])).Distinct().ToList();
        if (groups.Count < 2)
        {
            string column = columns.Names[columns.Sensitive];
            throw EngineException.Invalid(
                column,
                $"Sensitive column '{column}' has only one group, '{groups[0]}', in the rows that are used. " +
                "Fairness metrics compare groups: choose another sensitive column or add rows of other groups.",
                groups[0]);
        }
    }

    /// <summary>
    /// Rejects a text feature column with a different value in every complete row, such as a name or a
    /// customer id. One-hot encoding gives such a column one input per row, which a model can only memorise.
    /// Also rejects a numeric feature column of distinct whole numbers that span at most twice the row count, such
    /// as a row number. Files of fewer than <see cref="MinRowsForIdentifierCheck"/> complete rows are not checked.
    /// </summary>
    private static void CheckNoIdentifierColumn(List<DatasetFile> files, DatasetColumns columns, IReadOnlyCollection<string> numericColumns)
    {
        var records = files.Select(f => (File: f, Records: CompleteRecords(f))).ToList();
        int rowCount = records.Sum(f => f.Records.Length);
        if (rowCount < MinRowsForIdentifierCheck)
            return;

        foreach (int c in columns.Features)
        {
            string column = columns.Names[c];
            if (c == columns.Sensitive)
                continue;

            if (numericColumns.Contains(column))
            {
                CheckNotRowNumbers(column, records.SelectMany(f => f.Records.Select(r => f.File.Columns[c][r])), rowCount);
                continue;
            }

            var values = new HashSet<string>(StringComparer.Ordinal);
            bool repeated = false;
            foreach (var (file, fileRecords) in records)
            {
                foreach (int r in fileRecords)
                {
                    if (!values.Add(file.Columns[c][r].Trim()))
                    {
                        repeated = true;
                        break;
                    }
                }

                if (repeated)
                    break;
            }

            if (repeated)
                continue;

            var (first, firstRecords) = records.First(f => f.Records.Length > 0);
            string example = first.Columns[c][firstRecords[0]];
            throw EngineException.Invalid(
                column,
                $"Column '{column}' has a different value in each of its {Count(rowCount)} complete rows (for example '{example}'), " +
                "so it looks like an identifier, and a model would get one input per row. Remove the column from the file and upload it again.",
                column);
        }
    }

    /// <summary>
    /// Rejects a numeric column whose values are distinct whole numbers between a minimum and a maximum at most
    /// 2 x <paramref name="rowCount"/> apart: row numbers or sequential ids, which let a model learn from the order
    /// of the rows. Distinct measurements, such as amounts spread over a wider range, pass.
    /// </summary>
    private static void CheckNotRowNumbers(string column, IEnumerable<string> values, int rowCount)
    {
        var seen = new HashSet<double>();
        foreach (string value in values)
        {
            double number = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (number != Math.Floor(number) || !seen.Add(number))
                return;
        }

        double min = seen.Min();
        double max = seen.Max();
        if (max - min + 1 > 2.0 * rowCount)
            return;

        throw EngineException.Invalid(
            column,
            $"Column '{column}' has a different whole number in each of its {Count(rowCount)} complete rows, from {Format(min)} to {Format(max)}, " +
            "so it looks like a row number or a sequential id, from which a model would learn the order of the rows. " +
            "Remove the column from the file and upload it again.",
            column);
    }

    private static int[] CompleteRecords(DatasetFile file)
    {
        var records = new List<int>(file.RecordCount);
        for (int r = 0; r < file.RecordCount; r++)
        {
            if (file.States[r] == RowState.Complete)
                records.Add(r);
        }

        return records.ToArray();
    }

    private static bool[] LabelsOf(DatasetFile file, int labelColumn, string favourable)
    {
        string[] values = file.Columns[labelColumn];
        var result = new bool[values.Length];
        var cache = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (int r = 0; r < values.Length; r++)
        {
            if (!cache.TryGetValue(values[r], out bool isFavourable))
                cache[values[r]] = isFavourable = NormalizeLabel(values[r]) == favourable;
            result[r] = isFavourable;
        }

        return result;
    }

    private static SplitAssignment SplitRows(
        List<DatasetFile> files, List<bool[]> labels, DatasetColumns columns, DatasetDefinition definition)
    {
        var train = files[0];
        int[] records = CompleteRecords(train);
        if (definition.ValidationRecords is { } fixedValidation)
            return FixedSplit(records, fixedValidation, files.Count > 1, train.Source, train.RecordCount);

        var assignment = DatasetSplitter.Split(
            records,
            records.Select(r => labels[0][r]).ToArray(),
            records.Select(r => train.Columns[columns.Sensitive][r]).ToArray(),
            definition.ValidationFraction,
            files.Count > 1 ? 0 : definition.TestFraction,
            definition.SplitSeed);

        if (assignment.Train.Length == 0)
        {
            throw EngineException.Invalid(
                "validation_fraction",
                $"No rows are left for training: {train.Source} has {records.Length} complete rows, and the validation and test " +
                "fractions take them all. Lower the fractions or add rows.",
                Format(definition.ValidationFraction));
        }

        return assignment;
    }

    /// <summary>
    /// Returns the split that <see cref="DatasetDefinition.ValidationRecords"/> names: those of the complete records in
    /// validation, the other complete records in train, and the test split from the test file.
    /// </summary>
    private static SplitAssignment FixedSplit(int[] records, IReadOnlyList<int> validationRecords, bool hasTestFile, string source, int recordCount)
    {
        int outside = validationRecords.ToList().FindIndex(record => record >= recordCount);
        if (outside >= 0)
        {
            string value = validationRecords[outside].ToString(CultureInfo.InvariantCulture);
            throw EngineException.Invalid($"validation_records[{outside}]",
                $"validation_records[{outside}] is {value}, but {source} has {Count(recordCount)} records, numbered from 0.", value);
        }

        if (!hasTestFile)
        {
            throw EngineException.Invalid("validation_records",
                $"The definition names the validation records of {source}, but the dataset has no test file, which those records need: "
                + "without one the test split would be drawn from the same records.");
        }

        var validation = validationRecords.ToHashSet();
        int[] train = records.Where(r => !validation.Contains(r)).ToArray();
        int[] kept = records.Where(validation.Contains).ToArray();
        if (train.Length == 0)
            throw EngineException.Invalid("validation_records", $"No rows of {source} are left for training: the validation records take them all.");

        return new SplitAssignment(train, kept, []);
    }

    /// <summary>
    /// Orders the groups by size in the training split, largest first. Ties go by size over all rows, then
    /// the reference group first, then by name.
    /// </summary>
    private static List<string> OrderGroups(List<DatasetFile> files, DatasetColumns columns, int[] trainRecords, string? reference)
    {
        var trainCounts = trainRecords.Select(r => files[0].Columns[columns.Sensitive][r]).CountBy(g => g).ToDictionary();
        var totalCounts = files.SelectMany(f => CompleteRecords(f).Select(r => f.Columns[columns.Sensitive][r])).CountBy(g => g).ToDictionary();
        return totalCounts.Keys
            .OrderByDescending(g => trainCounts.GetValueOrDefault(g))
            .ThenByDescending(g => totalCounts[g])
            .ThenByDescending(g => g == reference)
            .ThenBy(g => g, StringComparer.Ordinal)
            .ToList();
    }

    private static string ResolveReferenceGroup(DatasetDefinition definition, List<string> groups)
    {
        string? reference = definition.ReferenceGroup?.Trim();
        if (string.IsNullOrEmpty(reference))
            return groups[0];

        if (groups.Contains(reference))
            return reference;

        throw EngineException.Invalid(
            "reference_group",
            $"Reference group '{reference}' is not a group of sensitive column '{definition.SensitiveColumn}', whose groups are " +
            $"{{{DatasetColumns.List(groups)}}}. Choose one of them, or leave the reference group empty to use the largest.",
            reference);
    }

    private static TabularSplit BuildSplit(string name, DatasetFile file, bool[] labels, int[] records, DatasetColumns columns)
    {
        var featureValues = columns.Features.Select(c =>
        {
            string[] source = file.Columns[c];
            var values = new string[records.Length];
            for (int i = 0; i < records.Length; i++)
                values[i] = source[records[i]];
            return values;
        }).ToList();

        string[] groups = file.Columns[columns.Sensitive];
        return new TabularSplit(
            name,
            columns.Features.Select(c => columns.Names[c]).ToList(),
            featureValues,
            records.Select(r => file.FirstRowId + r).ToArray(),
            records.Select(r => labels[r] ? 1f : 0f).ToArray(),
            records.Select(r => groups[r]).ToArray());
    }

    private static DatasetFileSummary Summarize(DatasetFile file)
    {
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < file.Table.Columns.Count; c++)
            missing[file.Table.Columns[c]] = file.Table.Values[c].Count(DatasetFile.IsMissing);

        return new DatasetFileSummary(
            file.Source,
            file.RecordCount,
            file.States.Count(s => s == RowState.Complete),
            file.States.Count(s => s == RowState.Dropped),
            file.States.Count(s => s == RowState.Excluded),
            missing);
    }

    private static string FileName(string source)
    {
        string name = Path.GetFileName(source);
        return name.Length > 0 ? name : source;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
