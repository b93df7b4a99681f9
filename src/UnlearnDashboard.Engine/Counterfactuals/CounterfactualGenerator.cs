using UnlearnDashboard.Engine.Data;

namespace UnlearnDashboard.Engine.Counterfactuals;

/// <summary>Builds counterfactual sets by applying a spec's value maps to sampled rows.</summary>
public static class CounterfactualGenerator
{
    /// <summary>
    /// Draws up to <see cref="CounterfactualSpec.MaxRows"/> rows of the training split (stratified by group
    /// and label, seeded) and returns them with their counterfactuals. Map keys and values are checked
    /// against the training split's levels.
    /// </summary>
    public static CounterfactualSet FromTraining(CounterfactualSpec spec, PreparedDataset data, CancellationToken cancellationToken) =>
        Generate(spec, data.Train, data.Train, cancellationToken);

    /// <summary>
    /// Checks uploaded rows against <paramref name="data"/> (every sensitive value is one the map changes, and every
    /// text value is one the dataset's training rows have), then generates a set from them as
    /// <see cref="Generate"/> does, with the training split's levels. Errors name <c>external_rows_csv</c>.
    /// </summary>
    public static CounterfactualSet FromExternalRows(CounterfactualSpec spec, TabularSplit rows, PreparedDataset data, CancellationToken cancellationToken)
    {
        Validate(spec, rows, data.Train);
        RequireMappedGroups(spec, rows);
        RequireKnownLevels(rows, data);
        return Generate(spec, rows, data.Train, cancellationToken);
    }

    /// <summary>
    /// Draws up to <see cref="CounterfactualSpec.MaxRows"/> of <paramref name="rows"/> (stratified by group
    /// and label, seeded) and returns them with their counterfactuals. Map keys and values must be levels of
    /// their column in <paramref name="rows"/> or, when given, in <paramref name="levelSource"/> (for
    /// external rows, usually the training split).
    /// </summary>
    public static CounterfactualSet Generate(CounterfactualSpec spec, TabularSplit rows, TabularSplit? levelSource, CancellationToken cancellationToken)
    {
        Validate(spec, rows, levelSource);
        cancellationToken.ThrowIfCancellationRequested();
        int[] sample = StratifiedSample(rows, spec.MaxRows, spec.Seed);
        var original = rows.Select(sample);
        var counterfactual = Apply(spec, original);
        return new CounterfactualSet(spec.SensitiveColumn, spec.AllMaps.Select(m => m.Column).ToList(), original, counterfactual);
    }

    /// <summary>
    /// Returns <paramref name="rows"/> with every map of the spec applied, in the same order and with the
    /// same row ids and labels; the groups become the mapped sensitive values. Does not validate.
    /// </summary>
    public static TabularSplit Apply(CounterfactualSpec spec, TabularSplit rows)
    {
        var values = rows.FeatureValues.ToList();
        foreach (var map in spec.AllMaps)
        {
            int column = ColumnIndex(rows, map.Column);
            if (column >= 0)
                values[column] = values[column].Select(map.Apply).ToArray();
        }

        var sensitiveMap = new ColumnValueMap(spec.SensitiveColumn, spec.SensitiveMap);
        string[] groups = rows.Groups.Select(sensitiveMap.Apply).ToArray();
        return new TabularSplit(rows.Name, rows.FeatureColumns, values, rows.RowIds.ToArray(), rows.Labels.ToArray(), groups);
    }

    /// <summary>
    /// Throws INVALID_ARGUMENT on <c>external_rows_csv</c> when a text column of <paramref name="rows"/> contains a value
    /// that neither the training nor the validation split has. The model's encoder has no input for such a value, so the row would be
    /// read as if the column were missing, and its counterfactual would say nothing about that value.
    /// </summary>
    private static void RequireKnownLevels(TabularSplit rows, PreparedDataset data)
    {
        for (int column = 0; column < rows.FeatureColumns.Count; column++)
        {
            string name = rows.FeatureColumns[column];
            if (data.NumericColumns.Contains(name))
                continue;

            var levels = Levels(data.Train, data.Validation, name);
            var values = rows.FeatureValues[column];
            for (int row = 0; row < values.Length; row++)
            {
                if (!levels.Contains(values[row]))
                {
                    throw EngineException.Invalid("external_rows_csv",
                        $"Uploaded row {row + 1} has {name} '{values[row]}', a value the dataset's training rows never have, so the model has no "
                        + $"input for it; use one of {string.Join(", ", levels.Order(StringComparer.Ordinal).Take(20))}"
                        + (levels.Count > 20 ? $" ({levels.Count} values in all)." : "."),
                        values[row]);
                }
            }
        }
    }

    /// <summary>
    /// Throws INVALID_ARGUMENT on <c>external_rows_csv</c> when an uploaded row's sensitive value is one the sensitive
    /// map does not change, because that row's counterfactual would be the row itself.
    /// </summary>
    private static void RequireMappedGroups(CounterfactualSpec spec, TabularSplit rows)
    {
        for (int row = 0; row < rows.Count; row++)
        {
            if (!spec.SensitiveMap.ContainsKey(rows.Groups[row]))
            {
                throw EngineException.Invalid("external_rows_csv",
                    $"Uploaded row {row + 1} has {spec.SensitiveColumn} '{rows.Groups[row]}', which the sensitive map does not change "
                    + $"(it maps {string.Join(", ", spec.SensitiveMap.Keys.Select(key => $"'{key}'"))}), so the row would be its own "
                    + "counterfactual. Map that value or remove the row.",
                    rows.Groups[row]);
            }
        }
    }

    /// <summary>Throws <see cref="EngineException"/> naming the field and value at fault; see <see cref="CounterfactualSpec.Validate"/>.</summary>
    public static void Validate(CounterfactualSpec spec, TabularSplit rows, TabularSplit? levelSource = null)
    {
        if (spec.MaxRows is < 1 or > CounterfactualSpec.MaxRowsLimit)
        {
            throw EngineException.Invalid("max_rows",
                $"max_rows must be in [1, {CounterfactualSpec.MaxRowsLimit}]; got {spec.MaxRows}.", spec.MaxRows.ToString());
        }

        if (spec.SensitiveMap.Count == 0)
        {
            throw EngineException.Invalid("sensitive_map",
                $"The sensitive map is empty; map each value of '{spec.SensitiveColumn}' to its counterfactual, for example Male to Female.",
                spec.SensitiveColumn);
        }

        // A proxy value may stay as it is, but a sensitive value mapped to itself makes no counterfactual.
        foreach (var (key, value) in spec.SensitiveMap)
        {
            if (key == value)
            {
                throw EngineException.Invalid("sensitive_map",
                    $"The sensitive map maps '{key}' to itself, so its rows would not change; map it to another value of '{spec.SensitiveColumn}' " +
                    "or leave it out.", key);
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in spec.AllMaps)
        {
            string field = map.Column == spec.SensitiveColumn && seen.Count == 0 ? "sensitive_column" : "proxy_columns";
            if (ColumnIndex(rows, map.Column) < 0)
            {
                throw EngineException.Invalid(field,
                    $"Column '{map.Column}' is not a feature column of the rows; known columns are {string.Join(", ", rows.FeatureColumns)}.",
                    map.Column);
            }

            if (!seen.Add(map.Column))
                throw EngineException.Invalid("proxy_columns", $"Column '{map.Column}' is mapped more than once; give one map per column.", map.Column);

            var levels = Levels(rows, levelSource, map.Column);
            foreach (var (key, value) in map.Values)
            {
                if (!levels.Contains(key))
                    throw UnknownLevel(field, map.Column, key, levels);
                if (!levels.Contains(value))
                    throw UnknownLevel(field, map.Column, value, levels);
            }
        }
    }

    /// <summary>
    /// Returns row positions: all rows when there are at most <paramref name="maxRows"/>, otherwise a seeded
    /// sample that keeps each (group, label) stratum's share, in ascending position order.
    /// </summary>
    internal static int[] StratifiedSample(TabularSplit rows, int maxRows, int seed)
    {
        if (rows.Count <= maxRows)
            return Enumerable.Range(0, rows.Count).ToArray();

        // Each stratum gets the floor of its share, and the rows left over go to the strata with the largest
        // remainders (ties by stratum order), so the total is exactly maxRows.
        var strata = Enumerable.Range(0, rows.Count)
            .GroupBy(i => (rows.Groups[i], rows.Labels[i]))
            .OrderBy(g => g.Key.Item1, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Item2)
            .Select(g => g.ToArray())
            .ToList();
        double scale = (double)maxRows / rows.Count;
        int[] quotas = strata.Select(s => (int)Math.Floor(s.Length * scale)).ToArray();
        int remaining = maxRows - quotas.Sum();
        foreach (int s in Enumerable.Range(0, strata.Count).OrderByDescending(s => strata[s].Length * scale - quotas[s]).ThenBy(s => s).Take(remaining))
            quotas[s]++;

        var random = new Random(seed);
        var chosen = new List<int>(maxRows);
        for (int s = 0; s < strata.Count; s++)
        {
            int[] members = strata[s].ToArray();
            random.Shuffle(members);
            chosen.AddRange(members.Take(quotas[s]));
        }

        chosen.Sort();
        return chosen.ToArray();
    }

    private static int ColumnIndex(TabularSplit rows, string column)
    {
        for (int i = 0; i < rows.FeatureColumns.Count; i++)
        {
            if (rows.FeatureColumns[i] == column)
                return i;
        }

        return -1;
    }

    private static HashSet<string> Levels(TabularSplit rows, TabularSplit? levelSource, string column)
    {
        var levels = new HashSet<string>(rows.FeatureValues[ColumnIndex(rows, column)], StringComparer.Ordinal);
        int sourceColumn = levelSource is null ? -1 : ColumnIndex(levelSource, column);
        if (sourceColumn >= 0)
            levels.UnionWith(levelSource!.FeatureValues[sourceColumn]);
        return levels;
    }

    private static EngineException UnknownLevel(string field, string column, string value, HashSet<string> levels) =>
        EngineException.Invalid(field,
            $"Value '{value}' in the map of column '{column}' is not a level of that column; its levels are "
            + $"{string.Join(", ", levels.Order(StringComparer.Ordinal))}.",
            value);
}
