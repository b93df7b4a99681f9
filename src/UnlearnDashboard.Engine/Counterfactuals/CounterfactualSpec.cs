using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>Where the rows of a counterfactual set come from.</summary>
public enum CounterfactualSource
{
    /// <summary>The training split of the dataset the model was trained on.</summary>
    TrainingRows,

    /// <summary>Rows supplied by the caller as a <see cref="TabularSplit"/> with the same feature columns.</summary>
    ExternalRows,
}

/// <summary>
/// A value map for one column. A value that is a key changes to the mapped value; every other value stays
/// as it is. Keys and mapped values must both be levels of the column in the source rows.
/// </summary>
public sealed record ColumnValueMap(string Column, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>Returns the mapped value, or <paramref name="value"/> itself when it is not a key.</summary>
    public string Apply(string value) => Values.TryGetValue(value, out string? mapped) ? mapped : value;
}

/// <summary>
/// How to build a counterfactual set: which sensitive value becomes which, which proxy columns change with
/// it, how many rows to draw and from where. Only the mapped columns differ between a row and its
/// counterfactual.
/// </summary>
public sealed record CounterfactualSpec
{
    /// <summary>Default cap on the rows of a set.</summary>
    public const int DefaultMaxRows = 2000;

    /// <summary>Largest cap accepted.</summary>
    public const int MaxRowsLimit = 1_000_000;

    /// <summary>The sensitive column, for example <c>sex</c>.</summary>
    public required string SensitiveColumn { get; init; }

    /// <summary>Map of the sensitive values, for example Male to Female and Female to Male.</summary>
    public required IReadOnlyDictionary<string, string> SensitiveMap { get; init; }

    /// <summary>
    /// Proxy columns that change with the sensitive attribute, each with its own value map, for example
    /// Adult's <c>relationship</c> with Husband to Wife and Wife to Husband.
    /// </summary>
    public IReadOnlyList<ColumnValueMap> ProxyMaps { get; init; } = [];

    /// <summary>Maximum rows in the set, at least 1; default <see cref="DefaultMaxRows"/>.</summary>
    public int MaxRows { get; init; } = DefaultMaxRows;

    /// <summary>Seed of the stratified sample drawn when the source has more rows than <see cref="MaxRows"/>.</summary>
    public int Seed { get; init; }

    /// <summary>Where the rows come from; default the training split.</summary>
    public CounterfactualSource Source { get; init; } = CounterfactualSource.TrainingRows;

    /// <summary>Every map in application order: the sensitive column first, then the proxies.</summary>
    public IReadOnlyList<ColumnValueMap> AllMaps => [new ColumnValueMap(SensitiveColumn, SensitiveMap), .. ProxyMaps];

    /// <summary>
    /// Throws <see cref="EngineException"/> (invalid argument) naming the field and value at fault: a cap
    /// below 1, an unknown column, a column mapped twice, or a map key or value that is not a level of its
    /// column in <paramref name="rows"/>.
    /// </summary>
    public void Validate(TabularSplit rows) => CounterfactualGenerator.Validate(this, rows);
}
