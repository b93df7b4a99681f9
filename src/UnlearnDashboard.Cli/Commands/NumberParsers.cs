using System.CommandLine.Parsing;
using System.Globalization;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>
/// Custom parsers for numeric options that check the range while parsing, so that a value that is
/// not a number and a value out of range both give one error naming the option.
/// </summary>
internal static class NumberParsers
{
    /// <summary>Parses a floating-point number in invariant culture ("0.05", "1e-3") that satisfies <paramref name="isValid"/>.</summary>
    public static Func<ArgumentResult, double> Double(string optionName, string range, Func<double, bool> isValid) =>
        result => Parse(result, optionName, range, isValid, static text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null);

    public static Func<ArgumentResult, double?> NullableDouble(string optionName, string range, Func<double, bool> isValid)
    {
        var parse = Double(optionName, range, isValid);
        return result => parse(result);
    }

    /// <summary>Parses a whole number in invariant culture that satisfies <paramref name="isValid"/>.</summary>
    public static Func<ArgumentResult, long> Int64(string optionName, string range, Func<long, bool> isValid) =>
        result => Parse(result, optionName, range, isValid, static text =>
            long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null);

    public static Func<ArgumentResult, int> Int32(string optionName, string range, Func<int, bool> isValid) =>
        result => Parse(result, optionName, range, isValid, static text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null);

    public static Func<ArgumentResult, uint?> NullableUInt32(string optionName, string range) =>
        result => Parse<uint>(result, optionName, range, static _ => true, static text =>
            uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null);

    public static Func<ArgumentResult, int?> NullableInt32(string optionName, string range, Func<int, bool> isValid) =>
        result => Parse(result, optionName, range, isValid, static text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null);

    private static T Parse<T>(ArgumentResult result, string optionName, string range, Func<T, bool> isValid, Func<string, T?> tryParse)
        where T : struct
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (tryParse(text) is not { } value)
        {
            result.AddError($"Invalid value '{text}' for option '{optionName}': expected a number {range}.");
            return default;
        }

        if (!isValid(value))
        {
            result.AddError($"Invalid value '{text}' for option '{optionName}': expected a number {range}.");
            return default;
        }

        return value;
    }
}
