namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// A validated dataset split into train, validation and test. Row ids are the 0-based record index in the
/// training file; test-file rows continue after the training file's last record, so every id is unique.
/// </summary>
public sealed class PreparedDataset
{
    /// <summary>
    /// The definition the dataset was loaded with. Its favourable label is the one compared: trimmed, without
    /// a trailing '.', and "1" where the request left it empty.
    /// </summary>
    public required DatasetDefinition Definition { get; init; }

    public required TabularSplit Train { get; init; }

    public required TabularSplit Validation { get; init; }

    public required TabularSplit Test { get; init; }

    /// <summary>Rows dropped because a feature value was missing, over both files.</summary>
    public int DroppedRows { get; init; }

    /// <summary>Rows left out because the label or the sensitive value was missing (exclude policy).</summary>
    public int ExcludedRows { get; init; }

    /// <summary>Groups of the sensitive attribute, ordered by size in the training split, largest first.</summary>
    public required IReadOnlyList<string> Groups { get; init; }

    public required string ReferenceGroup { get; init; }

    /// <summary>Feature columns whose every value parses as a number.</summary>
    public required IReadOnlySet<string> NumericColumns { get; init; }

    /// <summary>The two values of the label column after trimming and dropping one trailing '.', in ordinal order.</summary>
    public IReadOnlyList<string> LabelValues { get; init; } = [];

    /// <summary>The training file, then the test file when there is one.</summary>
    public IReadOnlyList<DatasetFileSummary> Files { get; init; } = [];

    public TabularSplit GetSplit(string name) => name switch
    {
        "train" => Train,
        "validation" => Validation,
        "test" => Test,
        _ => throw EngineException.Invalid("split", $"Unknown split '{name}'; expected train, validation or test.", name),
    };

    /// <summary>
    /// Throws INVALID_ARGUMENT, naming the split and its counts, when the splits are too small to train a model
    /// and rank its training samples. Training needs both label values. Validation and test need rows from at
    /// least two groups, because the bias objective and the metrics compare groups.
    /// </summary>
    public void ValidateForTraining()
    {
        if (Train.Labels.Distinct().Count() < 2)
        {
            throw EngineException.Invalid("train_file",
                $"The training split has {Train.Count} rows but only one label value; training needs both. Add rows with the other label.");
        }

        var (validationField, validationAdvice) = Definition.ValidationRecords is null
            ? ("validation_fraction", "Add rows, or raise validation_fraction.")
            : ("validation_records", "Name records of at least two groups in validation_records.");
        var (testField, testAdvice) = Files.Count > 1
            ? ("test_file", "Add rows of the other groups to the test file.")
            : ("test_fraction", "Add rows, or raise test_fraction.");
        foreach (var (split, field, advice) in new[] { (Validation, validationField, validationAdvice), (Test, testField, testAdvice) })
        {
            var groups = split.Groups.Distinct().ToList();
            if (groups.Count < 2)
            {
                throw EngineException.Invalid(field,
                    $"The {split.Name} split has {split.Count} rows in {groups.Count} group(s) of '{Definition.SensitiveColumn}'; "
                    + $"the bias metrics need rows from at least two groups. {advice}");
            }
        }
    }
}
