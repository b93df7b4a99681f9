using System.Collections.Concurrent;
using System.Globalization;
using UnlearnDashboard.Cli.Output;

namespace UnlearnDashboard.Cli.Commands.Load;

/// <summary>Latencies and failures of one operation, recorded from many tasks at once.</summary>
internal sealed class LatencyLog(string operation)
{
    private readonly ConcurrentBag<double> _milliseconds = [];
    private readonly ConcurrentQueue<string> _errors = new();

    public string Operation { get; } = operation;

    public IEnumerable<string> Errors => _errors;

    public void Add(double milliseconds) => _milliseconds.Add(milliseconds);

    public void Fail(string error) => _errors.Enqueue(error);

    /// <summary>Adds a row of calls, errors and the 50th, 95th and 99th percentiles and maximum, or dashes when nothing was timed.</summary>
    public void AddRow(TextTable table)
    {
        var sorted = _milliseconds.Order().ToArray();
        string Format(double? value) => value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";
        double? Percentile(double p) => sorted.Length == 0 ? null : sorted[(int)Math.Ceiling(p * sorted.Length) - 1];

        table.AddRow(
            Operation,
            (sorted.Length + _errors.Count).ToString(CultureInfo.InvariantCulture),
            _errors.Count.ToString(CultureInfo.InvariantCulture),
            Format(Percentile(0.50)),
            Format(Percentile(0.95)),
            Format(Percentile(0.99)),
            Format(sorted.Length == 0 ? null : sorted[^1]));
    }
}
