namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// A validated dataset split into train, validation and test. Row ids are the 0-based record index in the
/// training file; test-file rows continue after the training file's last record, so every id is unique.
/// </summary>
public sealed class PreparedDataset
{
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

    public TabularSplit GetSplit(string name) => name switch
    {
        "train" => Train,
        "validation" => Validation,
        "test" => Test,
        _ => throw EngineException.Invalid("split", $"Unknown split '{name}'; expected train, validation or test.", name),
    };
}
