using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class JobWatcherTests
{
    private static readonly Status Dropped = new(StatusCode.Unavailable, "connection reset");

    [Fact]
    public async Task WatchAsync_DroppedStream_ResumesAfterLastSequence()
    {
        var jobs = new FakeJobService()
            .AddStream(Dropped, FakeJobService.Progress(1, "loading", 0.1), FakeJobService.Progress(2, "ranking", 0.4))
            .AddStream(failure: null, FakeJobService.Progress(3, "unlearning", 0.8), FakeJobService.Result(4, TestResults.Debias()));
        var error = new StringWriter();
        var watcher = CreateWatcher(jobs, error);

        var outcome = await watcher.WatchAsync("job-1", afterSequence: 0, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal("version-2", outcome.Result!.Debias.NewVersionId);
        Assert.Equal([0L, 2L], jobs.WatchRequests.Select(request => request.AfterSequence));
        Assert.Contains("reconnecting after event 2", error.ToString());
    }

    [Fact]
    public async Task WatchAsync_StreamEndsEarly_Reconnects()
    {
        var jobs = new FakeJobService()
            .AddStream(failure: null, FakeJobService.Progress(1, "loading", 0.1))
            .AddStream(failure: null, FakeJobService.Result(2, TestResults.Debias()));
        var watcher = CreateWatcher(jobs, new StringWriter());

        var outcome = await watcher.WatchAsync("job-1", afterSequence: 0, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal([0L, 1L], jobs.WatchRequests.Select(request => request.AfterSequence));
    }

    [Fact]
    public async Task WatchAsync_AfterLastEventOfEndedJob_ReturnsStoredEnd()
    {
        var jobs = new FakeJobService { StoredJob = new Job { Id = "job-1", State = JobState.Cancelled, Error = "Cancelled by request." } }
            .AddStream(failure: null);
        var error = new StringWriter();
        var watcher = CreateWatcher(jobs, error);

        var outcome = await watcher.WatchAsync("job-1", afterSequence: 278, CancellationToken.None);

        Assert.Equal(JobState.Cancelled, outcome.Ended!.State);
        Assert.Equal("Cancelled by request.", outcome.Ended.Message);
        Assert.Single(jobs.WatchRequests);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task WatchAsync_EndedEvent_ReturnsEnded()
    {
        var jobs = new FakeJobService()
            .AddStream(failure: null, FakeJobService.Progress(5, "training", 0.3), FakeJobService.Ended(6, JobState.Failed, "out of memory"));
        var watcher = CreateWatcher(jobs, new StringWriter());

        var outcome = await watcher.WatchAsync("job-1", afterSequence: 4, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal(JobState.Failed, outcome.Ended!.State);
        Assert.Equal("out of memory", outcome.Ended.Message);
        Assert.Equal(4, Assert.Single(jobs.WatchRequests).AfterSequence);
    }

    [Fact]
    public async Task WatchAsync_NotFound_ThrowsWithoutRetry()
    {
        var jobs = new FakeJobService().AddStream(new Status(StatusCode.NotFound, "job job-1 not found"));
        var watcher = CreateWatcher(jobs, new StringWriter());

        var exception = await Assert.ThrowsAsync<RpcException>(() => watcher.WatchAsync("job-1", 0, CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.Single(jobs.WatchRequests);
    }

    [Fact]
    public async Task WatchAsync_KeepsFailing_GivesUp()
    {
        var jobs = new FakeJobService();
        var watcher = CreateWatcher(jobs, new StringWriter());

        var exception = await Assert.ThrowsAsync<RpcException>(() => watcher.WatchAsync("job-1", 0, CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, exception.StatusCode);
        Assert.Equal(JobWatcher.MaxReconnectAttempts + 1, jobs.WatchRequests.Count);
    }

    private static JobWatcher CreateWatcher(FakeJobService jobs, StringWriter error) =>
        new(jobs, new ProgressDisplay(error, isTerminal: false), error, reconnectDelay: _ => TimeSpan.Zero);
}
