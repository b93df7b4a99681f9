using System.Globalization;

namespace UnlearnDashboard.Browser.Tests.LiveLatency;

/// <summary>
/// Settings of the live-stream latency benchmark, shared by <see cref="DashboardFixture"/>, which starts the compute
/// server with the EmitProgress test fault, and <see cref="LiveLatencyBenchmarkTests"/>. Training jobs on the dataset
/// <see cref="DatasetName"/> report <see cref="EventCount"/> progress events at <see cref="EventsPerSecond"/> from
/// their worker right after the first "loading" report.
/// </summary>
public static class LiveLatencyBenchmark
{
    /// <summary>Seconds of steady events; unset means <see cref="ShortSeconds"/>, the length CI runs.</summary>
    public const string SecondsVariable = "UNLEARN_BENCH_SECONDS";

    public const int ShortSeconds = 10;

    /// <summary>From this length on, the run counts as the full benchmark and the p95 target is asserted.</summary>
    public const int FullSeconds = 60;

    public const int EventsPerSecond = 10;

    /// <summary>Target: 95% of events appear in the browser's DOM within this many milliseconds of being stored.</summary>
    public const double P95TargetMilliseconds = 250;

    /// <summary>Name of the dataset the benchmark uploads; only its jobs get the fault.</summary>
    public const string DatasetName = "live-latency-bench";

    public static int Seconds { get; } = ReadSeconds();

    public static int EventCount => Seconds * EventsPerSecond;

    public static bool IsFullRun => Seconds >= FullSeconds;

    /// <summary>Compute's command-line options that turn the fault on for <see cref="DatasetName"/>.</summary>
    public static string[] ComputeArguments =>
    [
        "--Testing:FaultInjection:Dataset", DatasetName,
        "--Testing:FaultInjection:Phase", "loading",
        "--Testing:FaultInjection:Action", "EmitProgress",
        "--Testing:FaultInjection:EventCount", EventCount.ToString(CultureInfo.InvariantCulture),
        "--Testing:FaultInjection:EventsPerSecond", EventsPerSecond.ToString(CultureInfo.InvariantCulture),
    ];

    private static int ReadSeconds()
    {
        string? text = Environment.GetEnvironmentVariable(SecondsVariable);
        if (string.IsNullOrWhiteSpace(text))
            return ShortSeconds;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds is < 1 or > 3600)
            throw new InvalidOperationException($"{SecondsVariable} is '{text}'; expected whole seconds from 1 to 3600.");
        return seconds;
    }
}
