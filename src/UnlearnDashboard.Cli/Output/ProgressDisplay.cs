using System.Globalization;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Output;

/// <summary>
/// Shows job progress on stderr: a bar redrawn in place on a terminal, else one line per phase so
/// that logs stay readable.
/// </summary>
internal sealed class ProgressDisplay(TextWriter error, bool isTerminal)
{
    private const int BarWidth = 24;

    /// <summary>Longest line drawn on a terminal, in characters, so that a redraw never wraps on an 80-column terminal.</summary>
    private const int MaxLineLength = 79;

    private string? _lastPhase;
    private int _drawnLength;

    public void Report(JobProgress progress)
    {
        if (isTerminal)
        {
            Redraw(progress);
            return;
        }

        if (progress.Phase != _lastPhase)
        {
            error.WriteLine(FormatLine(progress));
        }

        _lastPhase = progress.Phase;
    }

    /// <summary>Ends the line being redrawn, so that the next message starts on a fresh line.</summary>
    public void Interrupt()
    {
        if (_drawnLength > 0)
        {
            error.WriteLine();
            _drawnLength = 0;
        }
    }

    /// <summary>Ends the display after the job's last event.</summary>
    public void Finish() => Interrupt();

    internal static string FormatLine(JobProgress progress)
    {
        var fraction = Math.Clamp(progress.Fraction, 0, 1);
        var percent = (fraction * 100).ToString("0", CultureInfo.InvariantCulture).PadLeft(3);
        var line = $"{progress.Phase,-10} {percent}%";
        return string.IsNullOrEmpty(progress.Message) ? line : $"{line}  {progress.Message}";
    }

    internal static string FormatBar(JobProgress progress)
    {
        var fraction = Math.Clamp(progress.Fraction, 0, 1);
        var filled = (int)Math.Round(fraction * BarWidth);
        var bar = new string('#', filled) + new string('-', BarWidth - filled);
        return $"[{bar}] {FormatLine(progress)}";
    }

    private void Redraw(JobProgress progress)
    {
        var line = FormatBar(progress);
        if (line.Length > MaxLineLength)
        {
            line = line[..MaxLineLength];
        }

        // Pad with spaces to erase the rest of a longer previous line.
        var padding = Math.Max(0, _drawnLength - line.Length);
        error.Write('\r');
        error.Write(line);
        error.Write(new string(' ', padding));
        error.Flush();
        _drawnLength = line.Length;
    }
}
