namespace UnlearnDashboard.Web.Components.Pages.Counterfactuals;

/// <summary>
/// Reads value maps typed as text: "Male=Female, Female=Male" for one column, and one
/// "COLUMN: FROM=TO, FROM=TO" line per proxy column. Errors name the part that is wrong.
/// </summary>
public static class ValueMapText
{
    /// <summary>Parses "FROM=TO" pairs separated by commas; returns null and an error when a pair is malformed or repeated.</summary>
    public static (Dictionary<string, string>? Map, string? Error) ParsePairs(string? text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] sides = part.Split('=', StringSplitOptions.TrimEntries);
            if (sides.Length != 2 || sides[0].Length == 0 || sides[1].Length == 0)
                return (null, $"'{part}' is not a FROM=TO pair.");
            if (!map.TryAdd(sides[0], sides[1]))
                return (null, $"'{sides[0]}' is mapped twice.");
        }

        return map.Count == 0 ? (null, "Enter at least one FROM=TO pair.") : (map, null);
    }

    /// <summary>Parses one "COLUMN: pairs" line per column; empty text gives no maps.</summary>
    public static (List<(string Column, Dictionary<string, string> Map)>? Maps, string? Error) ParseColumns(string? text)
    {
        var maps = new List<(string, Dictionary<string, string>)>();
        foreach (string line in (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
                return (null, $"'{line}' does not start with a column name and a colon.");

            string column = line[..colon].Trim();
            var (map, error) = ParsePairs(line[(colon + 1)..]);
            if (map is null)
                return (null, $"{column}: {error}");
            if (maps.Any(m => m.Item1 == column))
                return (null, $"Column '{column}' is listed twice.");
            maps.Add((column, map));
        }

        return (maps, null);
    }

    /// <summary>Returns the default map of a dataset's groups: the two groups swapped, or each group to the next one.</summary>
    public static string DefaultSensitiveMap(IReadOnlyList<string> groups) =>
        groups.Count < 2 ? "" : string.Join(", ", groups.Select((group, i) => $"{group}={groups[(i + 1) % groups.Count]}"));
}
