using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>Default counterfactual specs for the demo datasets, and a fallback for any two-group dataset.</summary>
public static class CounterfactualDefaults
{
    /// <summary>
    /// UCI Adult: <c>sex</c> Male and Female swap, and <c>relationship</c> Husband and Wife swap, because a
    /// husband who becomes a woman would otherwise be a female "Husband", a combination absent from the data.
    /// The other relationship values (Not-in-family, Own-child, Unmarried, Other-relative) stay.
    /// </summary>
    public static CounterfactualSpec Adult { get; } = new()
    {
        SensitiveColumn = "sex",
        SensitiveMap = new Dictionary<string, string> { ["Male"] = "Female", ["Female"] = "Male" },
        ProxyMaps =
        [
            new ColumnValueMap("relationship", new Dictionary<string, string> { ["Husband"] = "Wife", ["Wife"] = "Husband" }),
        ],
    };

    /// <summary>
    /// Statlog German Credit: <c>sex</c> (derived from <c>personal_status_sex</c>) swaps male and female, and
    /// <c>personal_status_sex</c> maps A91 (male, divorced or separated), A93 (male, single) and A94 (male,
    /// married or widowed) to A92 (female, divorced, separated or married), and A92 to A93 (male, single).
    /// The data code A92 does not separate a woman's marital states, so a man's marital status cannot be
    /// kept; A93 is the most common male code and the one a woman is mapped to. A95 (female, single) never
    /// occurs in the shipped file and stays.
    /// </summary>
    public static CounterfactualSpec GermanCredit { get; } = new()
    {
        SensitiveColumn = "sex",
        SensitiveMap = new Dictionary<string, string> { ["male"] = "female", ["female"] = "male" },
        ProxyMaps =
        [
            new ColumnValueMap("personal_status_sex", new Dictionary<string, string>
            {
                ["A91"] = "A92",
                ["A93"] = "A92",
                ["A94"] = "A92",
                ["A92"] = "A93",
            }),
        ],
    };

    /// <summary>
    /// Returns the default spec for a dataset: the demo profile's spec when the dataset is a demo profile with
    /// the same sensitive column, otherwise a swap of the two groups. When the sensitive column is derived from a
    /// text column that stays a feature, that column is an exact proxy and is mapped too (see
    /// <see cref="SourceColumnMap"/>); German Credit read under another name gets the demo's map this way. Throws
    /// <see cref="EngineException"/> (failed precondition, field <c>counterfactual_set</c>) when the
    /// sensitive attribute does not have exactly two groups, because then no swap is defined.
    /// </summary>
    public static CounterfactualSpec For(PreparedDataset data)
    {
        string sensitive = data.Definition.SensitiveColumn;
        var profile = data.Definition.Name switch
        {
            "adult" => Adult,
            "german-credit" => GermanCredit,
            _ => null,
        };
        if (profile is not null && profile.SensitiveColumn == sensitive && profile.SensitiveMap.Keys.All(data.Groups.Contains))
            return profile;

        if (data.Groups.Count != 2)
        {
            throw EngineException.Precondition("counterfactual_set",
                $"No default counterfactual map exists for sensitive column '{sensitive}' with {data.Groups.Count} groups "
                + $"({string.Join(", ", data.Groups)}); give a counterfactual spec that maps each group.",
                sensitive);
        }

        var swap = new Dictionary<string, string> { [data.Groups[0]] = data.Groups[1], [data.Groups[1]] = data.Groups[0] };
        var source = SourceColumnMap(data, swap);
        return new CounterfactualSpec
        {
            SensitiveColumn = sensitive,
            SensitiveMap = swap,
            ProxyMaps = source is null ? [] : [source],
        };
    }

    /// <summary>
    /// Returns a map of the text column the sensitive column is derived from, or null when it is derived from
    /// none, from a numeric column, or from a column that is not a feature. Each value seen in training maps to
    /// the most common training value of the swapped group, so a counterfactual row carries a source value
    /// consistent with its new group. Values are counted in the training split only, and ties go to the value
    /// that sorts first, so the map depends on nothing but the data.
    /// </summary>
    public static ColumnValueMap? SourceColumnMap(PreparedDataset data, IReadOnlyDictionary<string, string> swap)
    {
        var derived = data.Definition.DerivedColumns.FirstOrDefault(c => c.Name == data.Definition.SensitiveColumn);
        if (derived is null || data.NumericColumns.Contains(derived.SourceColumn))
            return null;

        var train = data.Train;
        int column = -1;
        for (int i = 0; i < train.FeatureColumns.Count; i++)
        {
            if (train.FeatureColumns[i] == derived.SourceColumn)
                column = i;
        }

        if (column < 0)
            return null;

        // Each source value with its count per group; the derivation gives every value one group.
        var counts = new Dictionary<(string Value, string Group), int>();
        var values = train.FeatureValues[column];
        for (int row = 0; row < train.Count; row++)
            counts[(values[row], train.Groups[row])] = counts.GetValueOrDefault((values[row], train.Groups[row])) + 1;

        var groupOf = counts
            .GroupBy(entry => entry.Key.Value, StringComparer.Ordinal)
            .ToDictionary(value => value.Key, value => value.MaxBy(entry => entry.Value).Key.Group, StringComparer.Ordinal);
        var mostCommon = counts
            .GroupBy(entry => entry.Key.Group, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => group.OrderByDescending(entry => entry.Value).ThenBy(entry => entry.Key.Value, StringComparer.Ordinal).First().Key.Value,
                StringComparer.Ordinal);

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (value, group) in groupOf.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (swap.TryGetValue(group, out var target) && mostCommon.TryGetValue(target, out var replacement))
                map[value] = replacement;
        }

        return map.Count == 0 ? null : new ColumnValueMap(derived.SourceColumn, map);
    }
}
