namespace UnlearnDashboard.Engine.Data;

/// <summary>Record counts of one input file: how many were read, used, dropped and excluded.</summary>
/// <param name="Source">File name used in messages.</param>
/// <param name="Records">Data records, without the header, blank lines and '|' comment lines.</param>
/// <param name="CompleteRows">Records used in a split.</param>
/// <param name="DroppedRows">Records left out because a feature value was missing.</param>
/// <param name="ExcludedRows">Records left out because the label or sensitive value was missing (exclude policy).</param>
/// <param name="MissingValues">Number of missing values ('?' or empty) in each column of the file, over all records.</param>
public sealed record DatasetFileSummary(
    string Source,
    int Records,
    int CompleteRows,
    int DroppedRows,
    int ExcludedRows,
    IReadOnlyDictionary<string, int> MissingValues);
