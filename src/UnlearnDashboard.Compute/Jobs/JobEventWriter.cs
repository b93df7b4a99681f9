using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using UnlearnDashboard.Compute.Diagnostics;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Turns a running job's progress reports into events numbered after the job's last stored event. The
/// engine thread only enqueues; a background loop stores queued events in batches, then publishes them,
/// so a slow database never stalls the engine. Reports made after cancellation are dropped.
/// </summary>
internal sealed class JobEventWriter : IProgress<ProgressUpdate>
{
    private readonly string _jobId;
    private readonly JobStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _jobToken;
    private readonly JobLease? _lease;
    private readonly Channel<Proto.JobEvent> _pending = Channel.CreateUnbounded<Proto.JobEvent>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _sequenceLock = new();
    private readonly Task _storing;
    private long _lastSequence;
    private bool _completed;

    public JobEventWriter(string jobId, long lastSequence, JobStore store, TimeProvider time, ILogger logger, CancellationToken jobToken, JobLease? lease = null)
    {
        _lease = lease;
        _jobId = jobId;
        _lastSequence = lastSequence;
        _store = store;
        _time = time;
        _logger = logger;
        _jobToken = jobToken;
        _storing = StoreLoopAsync();
    }

    public void Report(ProgressUpdate value)
    {
        if (_jobToken.IsCancellationRequested)
            return;

        lock (_sequenceLock)
        {
            if (_completed)
                return;

            long sequence = ++_lastSequence;
            var jobEvent = JobEvents.Progress(_jobId, sequence, _time.GetUtcNow(), value);
            _pending.Writer.TryWrite(jobEvent);
            _logger.JobProgress(_jobId, sequence, value.Phase, value.Fraction, value.Message);
        }
    }

    /// <summary>
    /// Stops accepting reports, waits until every queued event is stored and returns the sequence number
    /// for the job's final event.
    /// </summary>
    public async Task<long> CompleteAsync()
    {
        lock (_sequenceLock)
        {
            _completed = true;
            _pending.Writer.TryComplete();
        }

        await _storing;
        lock (_sequenceLock)
            return _lastSequence + 1;
    }

    private async Task StoreLoopAsync()
    {
        var batch = new List<Proto.JobEvent>();
        await foreach (var first in _pending.Reader.ReadAllAsync())
        {
            batch.Clear();
            batch.Add(first);
            while (_pending.Reader.TryRead(out var next))
                batch.Add(next);

            // Stored with CancellationToken.None: a cancelled job still keeps the events it reported before.
            try
            {
                await _store.AppendAsync(_jobId, batch, CancellationToken.None, _lease);
            }
            catch (Exception error)
            {
                // NOTE: the failed batch's sequence numbers stay unused, so watchers see a gap; the job's
                // final event still follows the highest number handed out.
                _logger.JobEventsNotStored(error, _jobId);
            }
        }
    }
}
