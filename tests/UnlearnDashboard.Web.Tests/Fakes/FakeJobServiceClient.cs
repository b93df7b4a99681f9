using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>
/// A JobService client whose WatchJob streams the events a test appends, as the compute server streams stored
/// then live events. A test can make the next call drop after some events, which a real server cannot be made
/// to do on cue. GetJob answers for any job unless the caller's session token is listed as denied, as the
/// compute server decides by the token.
/// </summary>
public sealed class FakeJobServiceClient : JobService.JobServiceClient
{
    private readonly Lock _lock = new();
    private readonly List<JobEvent> _events = [];
    private readonly Queue<int> _drops = new();
    private readonly List<long> _watchRequests = [];
    private readonly List<string?> _watchAuthorizations = [];
    private readonly HashSet<string> _deniedTokens = [];
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

    /// <summary>The authorization header of each WatchJob call, in order.</summary>
    public IReadOnlyList<string?> WatchAuthorizations
    {
        get
        {
            lock (_lock)
                return _watchAuthorizations.ToList();
        }
    }

    /// <summary>Makes GetJob and WatchJob answer PERMISSION_DENIED to calls with <paramref name="sessionToken"/>.</summary>
    public void Deny(string sessionToken)
    {
        lock (_lock)
            _deniedTokens.Add("Bearer " + sessionToken);
    }

    public override AsyncUnaryCall<Job> GetJobAsync(GetJobRequest request, CallOptions options)
    {
        string? authorization = options.Headers?.GetValue("authorization");
        bool denied;
        lock (_lock)
            denied = authorization is null || _deniedTokens.Contains(authorization);

        var response = denied
            ? Task.FromException<Job>(new RpcException(new Status(StatusCode.PermissionDenied, "GetJob needs one of the roles viewer, engineer, compliance.")))
            : Task.FromResult(new Job { Id = request.JobId, State = JobState.Running });
        return new AsyncUnaryCall<Job>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
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
            _watchAuthorizations.Add(options.Headers?.GetValue("authorization"));
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
