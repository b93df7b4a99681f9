using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A server whose queue takes one waiting job.</summary>
public sealed class SingleSlotQueueFixture : ComputeServerFixture
{
    protected override string[] ExtraArgs => ["--Jobs:MaxQueued", "1"];
}

public sealed class JobQueueTests(SingleSlotQueueFixture server) : IClassFixture<SingleSlotQueueFixture>
{
    [Fact]
    public async Task TrainModel_QueueFull_IsResourceExhausted()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult"), TrainPath = "adult.csv" });
        var request = new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 500 } };
        var running = await server.Jobs.TrainModelAsync(request);
        await JobWatcher.WaitForPhaseAsync(server.Jobs, running.Id, "training");
        var queued = await server.Jobs.TrainModelAsync(request);

        var error = await RpcAssert.FailsAsync(() => server.Jobs.TrainModelAsync(request).ResponseAsync);
        await server.Jobs.CancelJobAsync(new CancelJobRequest { JobId = queued.Id });
        await server.Jobs.CancelJobAsync(new CancelJobRequest { JobId = running.Id });
        var jobs = await server.Jobs.ListJobsAsync(new ListJobsRequest());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Jobs:MaxQueued", error.Status.Detail);
        Assert.Equal(2, jobs.Jobs.Count);
    }
}
