namespace UnlearnDashboard.Engine.Data;

/// <summary>What to do with a row whose label or sensitive value is missing.</summary>
public enum MissingValuePolicy
{
    /// <summary>Reject the dataset, naming the column and the rows.</summary>
    Reject,

    /// <summary>Leave the row out and count it.</summary>
    Exclude,
}

/// <summary>
/// A column computed from another by a value map, for example German Credit's <c>sex</c> from
/// <c>personal_status_sex</c> (A91, A93, A94 male; A92, A95 female). A source value missing from the map
/// becomes <see cref="OtherValue"/> (for example "non-US" when binarising a country) or, when that is null,
/// is an error. A missing source value stays missing.
/// </summary>
public sealed record DerivedColumn(
    string Name,
    string SourceColumn,
    IReadOnlyDictionary<string, string> ValueMap,
    string? OtherValue = null);

/// <summary>How to read a CSV dataset: its label, favourable outcome, sensitive attribute and splits.</summary>
public sealed record DatasetDefinition
{
    public required string Name { get; init; }

    public required string LabelColumn { get; init; }

    /// <summary>
    /// Label value of the favourable outcome, compared after trimming and dropping one trailing '.'. An empty
    /// value means "1", and is accepted only when the label values are exactly {0, 1}.
    /// </summary>
    public required string FavourableLabel { get; init; }

    public required string SensitiveColumn { get; init; }

    /// <summary>Group that disparate impact is measured against. Null or empty picks the largest training group.</summary>
    public string? ReferenceGroup { get; init; }

    public MissingValuePolicy MissingLabel { get; init; } = MissingValuePolicy.Reject;

    public MissingValuePolicy MissingSensitive { get; init; } = MissingValuePolicy.Reject;

    /// <summary>Share of the training file kept for validation, unless <see cref="ValidationRecords"/> names the records.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>
    /// Record positions in the training file that form the validation split, ascending; null draws the split by
    /// <see cref="ValidationFraction"/> and <see cref="SplitSeed"/>. An erasure sets them, because a purged file would
    /// be split anew and move rows that a model trained on into validation. Used only with a test file.
    /// </summary>
    public IReadOnlyList<int>? ValidationRecords { get; init; }

    /// <summary>Share of the training file kept for test when there is no test file.</summary>
    public double TestFraction { get; init; } = 0.2;

    public int SplitSeed { get; init; }

    public IReadOnlyList<DerivedColumn> DerivedColumns { get; init; } = [];

    /// <summary>
    /// Column names of a file without a header row (UCI's raw layout), or null when the first record is the
    /// header. Lines starting with '|' are UCI comments in either case.
    /// </summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Columns to read but not use as features, for example an id column.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; init; } = [];
}
