using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>
/// A JobService client whose WatchJob calls replay scripted streams, one per call, and record the
/// requests. A stream ends with its events, or fails after them when given a failure status. GetJob
/// returns <see cref="StoredJob"/>.
/// </summary>
internal sealed class FakeJobService : JobService.JobServiceClient
{
    private readonly Queue<(JobEvent[] Events, Status? Failure)> _streams = new();

    public List<WatchJobRequest> WatchRequests { get; } = [];

    /// <summary>The job that GetJob returns: a running one unless a test sets another.</summary>
    public Job StoredJob { get; set; } = new() { Id = "job-1", State = JobState.Running };

    public override AsyncUnaryCall<Job> GetJobAsync(GetJobRequest request, CallOptions options) => new(
        Task.FromResult(StoredJob.Clone()),
        Task.FromResult(new Metadata()),
        () => Status.DefaultSuccess,
        () => [],
        () => { });

    public FakeJobService AddStream(Status? failure, params JobEvent[] events)
    {
        _streams.Enqueue((events, failure));
        return this;
    }

    public override AsyncServerStreamingCall<JobEvent> WatchJob(WatchJobRequest request, CallOptions options)
    {
        WatchRequests.Add(request.Clone());
        var (events, failure) = _streams.Count > 0
            ? _streams.Dequeue()
            : ([], new Status(StatusCode.Unavailable, "no scripted stream left"));

        return new AsyncServerStreamingCall<JobEvent>(
            new ScriptedReader(events, failure),
            Task.FromResult(new Metadata()),
            () => failure ?? Status.DefaultSuccess,
            () => [],
            () => { });
    }

    public static JobEvent Progress(long sequence, string phase, double fraction, string message = "") => new()
    {
        JobId = "job-1",
        Sequence = sequence,
        Progress = new JobProgress { Phase = phase, Fraction = fraction, Message = message },
    };

    public static JobEvent Result(long sequence, DebiasResult result) => new()
    {
        JobId = "job-1",
        Sequence = sequence,
        Result = new JobResult { Debias = result },
    };

    public static JobEvent Ended(long sequence, JobState state, string message) => new()
    {
        JobId = "job-1",
        Sequence = sequence,
        Ended = new JobEnded { State = state, Message = message },
    };

    private sealed class ScriptedReader(JobEvent[] events, Status? failure) : IAsyncStreamReader<JobEvent>
    {
        private int _index = -1;

        public JobEvent Current => events[_index];

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _index++;
            if (_index < events.Length)
            {
                return Task.FromResult(true);
            }

            return failure is { } status
                ? Task.FromException<bool>(new RpcException(status))
                : Task.FromResult(false);
        }
    }
}
