using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class RestartTests(ComputeServerFixture server)
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
        Assert.DoesNotContain(versions.Versions, v => v.JobId == running.Id || v.JobId == queued.Id);
    }

    [Fact]
    public async Task Restart_StoredDataset_TrainsAgain()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-restarted"),
            TrainPath = "german-credit.csv",
        });

        await server.StopServerAsync();
        await server.StartServerAsync();
        var job = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-restarted", Settings = new ModelSettings { Epochs = 1 } });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        Assert.Equal(JobState.Succeeded, finished.State);
    }

    [Fact]
    public async Task EvaluateFairness_CorruptedWeights_IsDataLoss()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-corrupted"),
            TrainPath = "german-credit.csv",
        });
        var job = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-corrupted", Settings = new ModelSettings { Epochs = 1 } });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);
        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = finished.Result.Train.VersionId });
        string weightsPath = Path.Combine(server.ArtifactDirectory, version.WeightsSha256[..2], version.WeightsSha256);
        byte[] weights = await File.ReadAllBytesAsync(weightsPath);
        weights[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(weightsPath, weights);

        var request = new EvaluateFairnessRequest { VersionId = version.Id };
        var error = await RpcAssert.FailsAsync(() => server.Models.EvaluateFairnessAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal(["weights"], RpcAssert.ViolatedFields(error));
    }
}

public sealed class RestartSqliteTests(ComputeServerFixture server) : RestartTests(server), IClassFixture<ComputeServerFixture>;

public sealed class RestartPostgresTests(PostgresComputeServerFixture server) : RestartTests(server), IClassFixture<PostgresComputeServerFixture>;
