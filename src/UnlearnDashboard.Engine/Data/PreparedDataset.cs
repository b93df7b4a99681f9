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
}
