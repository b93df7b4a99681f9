namespace UnlearnDashboard.Engine.Data;

/// <summary>
/// The complete rows of one split, column by column, as trimmed strings. Feature columns exclude the label
/// and include the sensitive column (the model settings decide whether it is an input).
/// </summary>
public sealed class TabularSplit
{
    public TabularSplit(
        string name,
        IReadOnlyList<string> featureColumns,
        IReadOnlyList<string[]> featureValues,
        long[] rowIds,
        float[] labels,
        string[] groups)
    {
        Name = name;
        FeatureColumns = featureColumns;
        FeatureValues = featureValues;
        RowIds = rowIds;
        Labels = labels;
        Groups = groups;
    }

    /// <summary>"train", "validation" or "test".</summary>
    public string Name { get; }

    public IReadOnlyList<string> FeatureColumns { get; }

    /// <summary>One array per feature column, one trimmed value per row; never missing.</summary>
    public IReadOnlyList<string[]> FeatureValues { get; }

    /// <summary>Stable id of each row in its source file (see <see cref="PreparedDataset"/>).</summary>
    public long[] RowIds { get; }

    /// <summary>1 for the favourable label, 0 otherwise.</summary>
    public float[] Labels { get; }

    /// <summary>Sensitive group of each row: the trimmed raw value, for example "Female".</summary>
    public string[] Groups { get; }

    public int Count => RowIds.Length;

    /// <summary>Returns the rows whose ids are not in <paramref name="rowIds"/>, in the same order.</summary>
    public TabularSplit Without(IReadOnlySet<long> rowIds)
    {
        var keep = Enumerable.Range(0, Count).Where(i => !rowIds.Contains(RowIds[i])).ToArray();
        return Select(keep);
    }

    /// <summary>Returns the rows at the given positions, in that order.</summary>
    public TabularSplit Select(IReadOnlyList<int> positions)
    {
        var values = FeatureValues.Select(column => positions.Select(p => column[p]).ToArray()).ToList();
        return new TabularSplit(
            Name,
            FeatureColumns,
            values,
            positions.Select(p => RowIds[p]).ToArray(),
            positions.Select(p => Labels[p]).ToArray(),
            positions.Select(p => Groups[p]).ToArray());
    }
}
