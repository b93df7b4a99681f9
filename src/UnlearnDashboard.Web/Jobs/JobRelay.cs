using Grpc.Core;
using Microsoft.AspNetCore.SignalR;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Jobs;

/// <summary>
/// Reads one job's WatchJob stream from the compute server, keeps every event in order, and sends each to the
/// job's hub group. A dropped stream is resumed with after_sequence set to the last event kept, so the buffer
/// has every sequence from 1 once, and the relay ends after the job's final event.
/// </summary>
public sealed class JobRelay : IAsyncDisposable
{
    private readonly JobService.JobServiceClient _jobs;
    private readonly IHubContext<JobsHub, IJobHubClient> _hub;
    private readonly JobStreamOptions _options;
    private readonly ILogger _logger;
    private readonly Action<JobRelay> _ended;
    private readonly Func<string?> _sessionToken;
    // NOTE: every event of the job stays in memory until the relay stops, which is fine for the tens of
    // events a training or debias job emits but would need a cap for jobs with thousands of steps.
    private readonly List<JobStreamEvent> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public JobRelay(
        string jobId,
        JobService.JobServiceClient jobs,
        IHubContext<JobsHub, IJobHubClient> hub,
        JobStreamOptions options,
        ILogger logger,
        Action<JobRelay> ended,
        Func<string?> sessionToken)
    {
        JobId = jobId;
        _jobs = jobs;
        _hub = hub;
        _options = options;
        _logger = logger;
        _ended = ended;
        _sessionToken = sessionToken;
    }

    public string JobId { get; }

    /// <summary>True once the job's final event was read, or the job cannot be watched.</summary>
    public bool HasEnded { get; private set; }

    /// <summary>WatchJob calls made so far: 1, plus one per resume.</summary>
    public int WatchCalls { get; private set; }

    public long LastSequence
    {
        get
        {
            lock (_events)
                return _events.Count == 0 ? 0 : _events[^1].Sequence;
        }
    }

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    public IReadOnlyList<JobStreamEvent> EventsAfter(long afterSequence)
    {
        lock (_events)
            return _events.Where(jobEvent => jobEvent.Sequence > afterSequence).ToList();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            long after = LastSequence;
            try
            {
                WatchCalls++;
                WebLog.RelayWatching(_logger, JobId, after);
                using var call = _jobs.WatchJob(new WatchJobRequest { JobId = JobId, AfterSequence = after }, SessionHeaders(), cancellationToken: cancellationToken);
                await foreach (var jobEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    failures = 0;
                    var streamEvent = jobEvent.ToStreamEvent();
                    if (!TryAppend(streamEvent))
                        continue;

                    await SendAsync(streamEvent);
                    if (streamEvent.IsFinal)
                    {
                        End();
                        return;
                    }
                }

                // The compute server ends the stream after the final event, so an end without one is a drop.
                WebLog.RelayStreamEndedEarly(_logger, JobId, LastSequence);
            }
            catch (RpcException exception) when (cancellationToken.IsCancellationRequested && exception.StatusCode == StatusCode.Cancelled)
            {
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument
                or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                WebLog.RelayRejected(_logger, JobId, exception.StatusCode, exception);
                await FailAsync(exception.Status.Detail);
                return;
            }
            catch (RpcException exception)
            {
                WebLog.RelayStreamDropped(_logger, JobId, LastSequence, exception.StatusCode, exception);
            }

            failures++;
            try
            {
                await Task.Delay(RetryDelay(failures), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Metadata? SessionHeaders() =>
        _sessionToken() is { } token ? new Metadata { { SessionTokenInterceptor.Header, SessionTokenInterceptor.BearerValue(token) } } : null;

    private TimeSpan RetryDelay(int failures)
    {
        double seconds = _options.RetryDelaySeconds * Math.Pow(2, Math.Min(failures - 1, 16));
        return TimeSpan.FromSeconds(Math.Min(seconds, _options.MaxRetryDelaySeconds));
    }

    /// <summary>Keeps the event when it is the next sequence; a repeat after a resume is dropped.</summary>
    private bool TryAppend(JobStreamEvent streamEvent)
    {
        lock (_events)
        {
            long last = _events.Count == 0 ? 0 : _events[^1].Sequence;
            if (streamEvent.Sequence <= last)
                return false;
            if (streamEvent.Sequence != last + 1)
            {
                // WatchJob promises no gaps; keeping the event would hide one from every watcher.
                throw new RpcException(new Status(StatusCode.DataLoss, $"Job {JobId} sent event {streamEvent.Sequence} after {last}."));
            }

            _events.Add(streamEvent);
            return true;
        }
    }

    private async Task SendAsync(JobStreamEvent streamEvent)
    {
        try
        {
            await _hub.Clients.Group(JobsHub.GroupName(JobId)).JobEvent(streamEvent);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Subscribers catch up from the buffer, so a failed send loses nothing.
            WebLog.RelaySendFailed(_logger, JobId, streamEvent.Sequence, exception);
        }
    }

    private async Task FailAsync(string message)
    {
        try
        {
            await _hub.Clients.Group(JobsHub.GroupName(JobId)).JobStreamFailed(JobId, message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            WebLog.RelaySendFailed(_logger, JobId, 0, exception);
        }

        End();
    }

    private void End()
    {
        HasEnded = true;
        WebLog.RelayEnded(_logger, JobId, LastSequence);
        _ended(this);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting.
        }

        _stop.Dispose();
    }
}
