using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests.ScaleOut;

/// <summary>
/// Two compute servers sharing one PostgreSQL job queue: a killed server's job is reclaimed by the other and
/// succeeds, and CancelJob and WatchJob work through the server that does not run the job. That both servers
/// take jobs of a batch is shown by <see cref="TopologyTests"/>.
/// </summary>
public sealed class SharedQueueTests
{
    private static readonly string[] PauseTraining =
    [
        "--Testing:FaultInjection:Dataset", "german-paused",
        "--Testing:FaultInjection:Phase", "training",
        "--Testing:FaultInjection:Action", "Pause",
    ];

    [Fact]
    public async Task KilledServer_JobReclaimedAndSucceeds()
    {
        await using var cluster = await ComputeCluster.CreateAsync();
        var doomed = await cluster.StartServerAsync(PauseTraining);
        await doomed.RegisterGermanCreditAsync("german-paused");
        var job = await doomed.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-paused", Settings = new ModelSettings { Epochs = 1 } });
        await doomed.Process.WaitForLogAsync($"Fault injection paused job {job.Id} at phase training", ClusterServer.JobTimeout);
        var survivor = await cluster.StartServerAsync();

        await doomed.KillAsync();
        await WorkerProcesses.WaitUntilGoneAsync(job.Id, TimeSpan.FromSeconds(10));
        var events = await survivor.WatchToEndAsync(job.Id);
        var finished = await survivor.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        var starts = await survivor.ListStartsAsync(job.Id);
        var versions = await survivor.Models.ListVersionsAsync(new ListVersionsRequest());
        var audit = await survivor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.True(finished.State == JobState.Succeeded, $"Job ended as {finished.State}: {finished.Error}\n{cluster.Logs()}");
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(JobEvent.EventOneofCase.Result, events[^1].EventCase);
        Assert.Equal(2, starts.Count);
        Assert.True(doomed.Owns(starts[0].Owner), starts[0].Owner);
        Assert.True(survivor.Owns(starts[1].Owner), starts[1].Owner);
        Assert.Equal(2, starts[1].Attempt);
        Assert.Equal([job.Id], versions.Versions.Select(v => v.JobId));
        Assert.True(audit.Intact, audit.Reason);
    }

    [Fact]
    public async Task CancelThroughOtherServer_StopsJob()
    {
        await using var cluster = await ComputeCluster.CreateAsync();
        var runner = await cluster.StartServerAsync(PauseTraining);
        await runner.RegisterGermanCreditAsync("german-paused");
        var job = await runner.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-paused", Settings = new ModelSettings { Epochs = 1 } });
        await runner.Process.WaitForLogAsync($"Fault injection paused job {job.Id} at phase training", ClusterServer.JobTimeout);
        var other = await cluster.StartServerAsync();

        var started = DateTime.UtcNow;
        var cancelled = await other.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id });
        var elapsed = DateTime.UtcNow - started;
        var events = await other.WatchToEndAsync(job.Id);
        await WorkerProcesses.WaitUntilGoneAsync(job.Id, TimeSpan.FromSeconds(10));

        Assert.True(cancelled.State == JobState.Cancelled, $"CancelJob returned {cancelled.State} after {elapsed.TotalSeconds:F1} s\n{cluster.Logs()}");
        Assert.Equal(JobState.Cancelled, events[^1].Ended.State);
        Assert.Equal("Cancelled by request.", events[^1].Ended.Message);
    }

    [Fact]
    public async Task WatchOnOtherServer_SeesEveryEvent()
    {
        await using var cluster = await ComputeCluster.CreateAsync();
        var runner = await cluster.StartServerAsync();
        await runner.RegisterGermanCreditAsync("german");
        var job = await runner.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 20 } });
        var watcher = await cluster.StartServerAsync();

        var watched = await watcher.WatchToEndAsync(job.Id);
        var stored = await runner.WatchToEndAsync(job.Id);
        var starts = await watcher.ListStartsAsync(job.Id);

        Assert.True(runner.Owns(starts.Single().Owner), starts.Single().Owner);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(e => e.Sequence));
        Assert.Equal(stored, watched);
        Assert.Equal(JobEvent.EventOneofCase.Result, watched[^1].EventCase);
    }
}
