using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public sealed class RestartTests(ComputeServerFixture server) : IClassFixture<ComputeServerFixture>
{
    [Fact]
    public async Task Restart_UnfinishedJobs_AreInterrupted()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult"), TrainPath = "adult.csv" });
        var running = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 500 } });
        var queued = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 1 } });
        await JobWatcher.WaitForPhaseAsync(server.Jobs, running.Id, "training");

        await server.StopServerAsync();
        await server.StartServerAsync();
        var runningAfter = await server.Jobs.GetJobAsync(new GetJobRequest { JobId = running.Id });
        var queuedAfter = await server.Jobs.GetJobAsync(new GetJobRequest { JobId = queued.Id });
        var queuedEvents = await JobWatcher.CollectAsync(server.Jobs, queued.Id);
        var versions = await server.Models.ListVersionsAsync(new ListVersionsRequest());

        Assert.Equal(JobState.Interrupted, runningAfter.State);
        Assert.Equal(JobState.Interrupted, queuedAfter.State);
        Assert.Equal(JobState.Interrupted, queuedEvents[^1].Ended.State);
        Assert.Equal(Enumerable.Range(1, queuedEvents.Count).Select(i => (long)i), JobWatcher.Sequences(queuedEvents));
        Assert.Empty(versions.Versions);
    }
}
