using System.Globalization;

namespace UnlearnDashboard.Web.Components.Shared;

/// <summary>Formats metric values the same way on every page, in the invariant culture.</summary>
public static class MetricFormat
{
    /// <summary>Decimals of a metric on screen.</summary>
    public const int Decimals = 4;

    /// <summary>Text shown in place of an undefined metric.</summary>
    public const string Gap = "—";

    public static string Format(double value, int decimals = Decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Format(double? value, int decimals = Decimals) =>
        value is { } number ? Format(number, decimals) : Gap;

    public static string Seconds(double seconds) =>
        seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    /// <summary>Formats a ratio of times to one decimal with a multiplication sign, as in 18.9×.</summary>
    public static string SpeedUp(double ratio) =>
        ratio.ToString("0.0", CultureInfo.InvariantCulture) + "\u00d7";

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1
            ? duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : duration.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
