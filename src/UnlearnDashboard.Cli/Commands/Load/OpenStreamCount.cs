using System.Collections.Concurrent;

namespace UnlearnDashboard.Cli.Commands.Load;

/// <summary>How many streams are open, sampled over the run.</summary>
internal sealed class OpenStreamCount
{
    private readonly ConcurrentQueue<int> _samples = new();
    private int _open;

    /// <summary>The count that this share of samples is at or below, for example 0.05 for the 5th percentile.</summary>
    public int Percentile(double share)
    {
        var sorted = _samples.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(share * sorted.Length) - 1)];
    }

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed() => Interlocked.Decrement(ref _open);

    public void Sample() => _samples.Enqueue(Volatile.Read(ref _open));
}
