using System.Diagnostics;
using System.Globalization;

namespace UnlearnDashboard.Compute.Diagnostics;

/// <summary>Resident memory of the current process, from /proc/self/status on Linux and from <see cref="Process"/> elsewhere.</summary>
internal static class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>Returns the resident set size (VmRSS) and its peak (VmHWM), in bytes.</summary>
    public static (long Resident, long Peak) Read()
    {
        if (File.Exists(StatusPath))
        {
            string[] lines = File.ReadAllLines(StatusPath);
            if (Kilobytes(lines, "VmRSS:") is { } resident && Kilobytes(lines, "VmHWM:") is { } peak)
                return (resident * 1024, peak * 1024);
        }

        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, process.PeakWorkingSet64);
    }

    /// <summary>Parses a line such as "VmRSS:    123456 kB", or returns null when there is none.</summary>
    private static long? Kilobytes(string[] lines, string key)
    {
        string? line = lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        string? number = line?[key.Length..].Trim().Split(' ')[0];
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
    }
}
