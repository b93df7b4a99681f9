using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace UnlearnDashboard.Cli.Output;

/// <summary>Text forms of metric values and times, independent of the user's culture.</summary>
internal static class Formats
{
    /// <summary>Shown for a metric that is unset because it is undefined or was not computed.</summary>
    public const string NotAvailable = "n/a";

    public static string Metric(double? value) =>
        value is { } number ? number.ToString("0.0000", CultureInfo.InvariantCulture) : NotAvailable;

    public static string Seconds(double seconds) =>
        seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    /// <summary>Formats a ratio of times to one decimal with an x, as in 18.9x.</summary>
    public static string SpeedUp(double ratio) => ratio.ToString("0.0", CultureInfo.InvariantCulture) + "x";

    public static string Count(long count) => count.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a timestamp as UTC ISO 8601 to the second, or "-" when unset.</summary>
    public static string Time(Timestamp? timestamp) =>
        timestamp is null
            ? "-"
            : timestamp.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string OrDash(string value) => string.IsNullOrEmpty(value) ? "-" : value;
}
