using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class RestartTests(ComputeServerFixture server)
{
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

/// <summary>On SQLite, one server owns the queue, so what it left unfinished when it stopped is interrupted.</summary>
public sealed class RestartSqliteTests(ComputeServerFixture server) : RestartTests(server), IClassFixture<ComputeServerFixture>
{
    private readonly ComputeServerFixture _server = server;

    [Fact]
    public async Task Restart_UnfinishedJobs_AreInterrupted()
    {
        await _server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult"), TrainPath = "adult.csv" });
        var running = await _server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 500 } });
        var queued = await _server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 1 } });
        await JobWatcher.WaitForPhaseAsync(_server.Jobs, running.Id, "training");

        await _server.StopServerAsync();
        await _server.StartServerAsync();
        var runningAfter = await _server.Jobs.GetJobAsync(new GetJobRequest { JobId = running.Id });
        var queuedAfter = await _server.Jobs.GetJobAsync(new GetJobRequest { JobId = queued.Id });
        var queuedEvents = await JobWatcher.CollectAsync(_server.Jobs, queued.Id);
        var versions = await _server.Models.ListVersionsAsync(new ListVersionsRequest());

        Assert.Equal(JobState.Interrupted, runningAfter.State);
        Assert.Equal(JobState.Interrupted, queuedAfter.State);
        Assert.Equal(JobState.Interrupted, queuedEvents[^1].Ended.State);
        Assert.Equal(Enumerable.Range(1, queuedEvents.Count).Select(i => (long)i), JobWatcher.Sequences(queuedEvents));
        Assert.DoesNotContain(versions.Versions, v => v.JobId == running.Id || v.JobId == queued.Id);
    }
}

/// <summary>
/// On PostgreSQL the queue is shared by every server, so a stopping server puts its running job back in the
/// queue, and the job runs again from the start, with nothing of the stopped attempt kept.
/// </summary>
public sealed class RestartPostgresTests(PostgresComputeServerFixture server) : RestartTests(server), IClassFixture<PostgresComputeServerFixture>
{
    [Fact]
    public async Task Restart_UnfinishedJobs_RunAgain()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult-requeued"), TrainPath = "adult.csv" });
        var running = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult-requeued", Settings = new ModelSettings { Epochs = 500 } });
        var queued = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "adult-requeued", Settings = new ModelSettings { Epochs = 1 } });
        await JobWatcher.WaitForPhaseAsync(server.Jobs, running.Id, "training");

        await server.StopServerAsync();
        await server.StartServerAsync();
        await WaitForTrainingAfterReleaseAsync(running.Id);
        var cancelled = await server.Jobs.CancelJobAsync(new CancelJobRequest { JobId = running.Id });
        var runningEvents = await JobWatcher.CollectAsync(server.Jobs, running.Id);
        var queuedEnd = await JobWatcher.WaitForEndAsync(server.Jobs, queued.Id);
        var versions = await server.Models.ListVersionsAsync(new ListVersionsRequest());
        var starts = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "job.start", Subject = $"job/{running.Id}" });

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(JobState.Cancelled, runningEvents[^1].Ended.State);
        Assert.Equal(Enumerable.Range(1, runningEvents.Count).Select(i => (long)i), JobWatcher.Sequences(runningEvents));
        Assert.Contains(runningEvents, e => e.Progress?.Message.StartsWith("The server running the job stopped", StringComparison.Ordinal) == true);
        Assert.Equal(2, starts.Entries.Count);
        Assert.Equal(JobState.Succeeded, queuedEnd.State);
        Assert.DoesNotContain(versions.Versions, v => v.JobId == running.Id);
    }

    /// <summary>Waits until the job trains again after the event that put it back in the queue.</summary>
    private async Task WaitForTrainingAfterReleaseAsync(string jobId)
    {
        using var call = server.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow + JobWatcher.JobTimeout);
        bool released = false;
        await foreach (var jobEvent in call.ResponseStream.ReadAllAsync())
        {
            released |= jobEvent.Progress?.Message.StartsWith("The server running the job stopped", StringComparison.Ordinal) == true;
            if (released && jobEvent.Progress?.Phase == "training")
                return;
        }

        throw new InvalidOperationException($"Job {jobId} ended before it trained again.");
    }
}

