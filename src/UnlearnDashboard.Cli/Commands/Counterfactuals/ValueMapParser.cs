using System.CommandLine.Parsing;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary>
/// Parses the values of a repeatable <c>--map COLUMN:FROM=TO,FROM=TO</c> option into one value map per column.
/// Column names and values are trimmed. A value cannot contain ',' or '=', and a column name cannot contain ':'.
/// </summary>
internal static class ValueMapParser
{
    public const string Syntax = "COLUMN:FROM=TO,FROM=TO";

    private const string Example = "relationship:Husband=Wife,Wife=Husband";

    /// <summary>Returns a parser that adds one error naming the option and the token at fault, and returns no maps then.</summary>
    public static Func<ArgumentResult, ColumnValueMap[]> Create(string optionName) => result =>
    {
        var maps = new List<ColumnValueMap>();
        foreach (var token in result.Tokens)
        {
            string? error = TryParse(token.Value, out var map);
            if (error is null && maps.Any(m => m.Column == map!.Column))
                error = $"column '{map!.Column}' is mapped by an earlier {optionName}; give one {optionName} per column.";

            if (error is not null)
            {
                result.AddError($"Invalid value '{token.Value}' for option '{optionName}': {error}");
                return [];
            }

            maps.Add(map!);
        }

        return [.. maps];
    };

    /// <summary>Parses one option value; returns null on success, or the reason it is invalid.</summary>
    internal static string? TryParse(string text, out ColumnValueMap? map)
    {
        map = null;
        int colon = text.IndexOf(':');
        string column = colon < 0 ? "" : text[..colon].Trim();
        if (column.Length == 0)
            return $"expected {Syntax}, for example {Example}.";

        var parsed = new ColumnValueMap { Column = column };
        string pairs = text[(colon + 1)..];
        if (pairs.Trim().Length == 0)
            return $"no FROM=TO pair after '{column}:'; expected {Syntax}.";

        foreach (string pair in pairs.Split(','))
        {
            if (pair.Trim().Length == 0)
                return "it contains an empty pair; separate the FROM=TO pairs with single commas.";

            string[] sides = pair.Split('=', StringSplitOptions.TrimEntries);
            if (sides.Length != 2 || sides[0].Length == 0 || sides[1].Length == 0)
                return $"'{pair.Trim()}' is not a FROM=TO pair; expected {Syntax}.";
            if (!parsed.Values.TryAdd(sides[0], sides[1]))
                return $"'{sides[0]}' is mapped twice in column '{column}'.";
        }

        map = parsed;
        return null;
    }
}
