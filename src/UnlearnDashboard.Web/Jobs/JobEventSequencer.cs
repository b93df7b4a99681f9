namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Puts a job's events in sequence order and drops repeats, so a watcher sees each sequence once, with no gap,
/// whether an event came from a catch-up list or live.
/// </summary>
public sealed class JobEventSequencer(long afterSequence)
{
    private readonly SortedDictionary<long, JobStreamEvent> _pending = [];

    /// <summary>Sequence of the last event released.</summary>
    public long LastSequence { get; private set; } = afterSequence;

    /// <summary>True when an event arrived ahead of a missing one.</summary>
    public bool HasGap => _pending.Count > 0;

    /// <summary>Adds an event and returns the events that are now next in sequence, in order.</summary>
    public IReadOnlyList<JobStreamEvent> Add(JobStreamEvent jobEvent)
    {
        if (jobEvent.Sequence <= LastSequence)
            return [];

        _pending.TryAdd(jobEvent.Sequence, jobEvent);
        List<JobStreamEvent> ready = [];
        while (_pending.Remove(LastSequence + 1, out var next))
        {
            ready.Add(next);
            LastSequence = next.Sequence;
        }

        return ready;
    }
}
