using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>
/// A JobService client whose WatchJob streams the events a test appends, as the compute server streams stored
/// then live events. A test can make the next call drop after some events, which a real server cannot be made
/// to do on cue.
/// </summary>
public sealed class FakeJobServiceClient : JobService.JobServiceClient
{
    private readonly Lock _lock = new();
    private readonly List<JobEvent> _events = [];
    private readonly Queue<int> _drops = new();
    private readonly List<long> _watchRequests = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The after_sequence of each WatchJob call, in order.</summary>
    public IReadOnlyList<long> WatchRequests
    {
        get
        {
            lock (_lock)
                return _watchRequests.ToList();
        }
    }

    public void Append(JobEvent jobEvent)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            jobEvent.Sequence = _events.Count + 1;
            _events.Add(jobEvent);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }

    /// <summary>Makes the next WatchJob call fail with UNAVAILABLE after it has sent <paramref name="events"/> events.</summary>
    public void DropNextCallAfter(int events)
    {
        lock (_lock)
            _drops.Enqueue(events);
    }

    public override AsyncServerStreamingCall<JobEvent> WatchJob(WatchJobRequest request, CallOptions options)
    {
        int? dropAfter;
        lock (_lock)
        {
            _watchRequests.Add(request.AfterSequence);
            dropAfter = _drops.Count > 0 ? _drops.Dequeue() : null;
        }

        var reader = new Reader(this, request.AfterSequence, dropAfter, options.CancellationToken);
        return new AsyncServerStreamingCall<JobEvent>(reader, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    private sealed class Reader(FakeJobServiceClient owner, long afterSequence, int? dropAfter, CancellationToken callToken) : IAsyncStreamReader<JobEvent>
    {
        private long _next = afterSequence + 1;
        private int _sent;
        private bool _done;

        public JobEvent Current { get; private set; } = new();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_done)
                return false;
            if (dropAfter is { } limit && _sent >= limit)
                throw new RpcException(new Status(StatusCode.Unavailable, "Connection reset by the test."));

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken);
            while (true)
            {
                JobEvent? next;
                Task changed;
                lock (owner._lock)
                {
                    next = _next <= owner._events.Count ? owner._events[(int)_next - 1] : null;
                    changed = owner._changed.Task;
                }

                if (next is not null)
                {
                    Current = next;
                    _next++;
                    _sent++;
                    _done = next.EventCase is JobEvent.EventOneofCase.Result or JobEvent.EventOneofCase.Ended;
                    return true;
                }

                try
                {
                    await changed.WaitAsync(linked.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new RpcException(new Status(StatusCode.Cancelled, "Call cancelled."));
                }
            }
        }
    }
}
