using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests.ScaleOut;

/// <summary>
/// The scale-out topology on loopback: PostgreSQL, Redis, two compute servers sharing the job queue and two
/// dashboards sharing the SignalR backplane, each dashboard on its own compute server.
/// </summary>
public sealed class TopologyTests
{
    private const int JobCount = 20;

    [Fact]
    public async Task TwoWorkersTwoDashboards_ShareJobs()
    {
        string redis = DashboardProcess.RedisConnectionString();
        await using var cluster = await ComputeCluster.CreateAsync();

        // The first worker pauses every job on german-paused, so it is surely mid-job when it is killed. It runs
        // two jobs at once, so it still takes jobs of the batch while the paused one waits.
        var doomed = await cluster.StartServerAsync(
            "--Jobs:MaxConcurrent", "2",
            "--Testing:FaultInjection:Dataset", "german-paused",
            "--Testing:FaultInjection:Phase", "training",
            "--Testing:FaultInjection:Action", "Pause");
        await using var firstDashboard = await DashboardProcess.StartAsync(doomed.Process, redis);
        await doomed.RegisterGermanCreditAsync("german");
        await doomed.RegisterGermanCreditAsync("german-paused");
        var paused = await doomed.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-paused", Settings = new ModelSettings { Epochs = 1 } });
        await doomed.Process.WaitForLogAsync($"Fault injection paused job {paused.Id} at phase training", ClusterServer.JobTimeout);
        var survivor = await cluster.StartServerAsync();
        await using var secondDashboard = await DashboardProcess.StartAsync(survivor.Process, redis);

        // One job's progress on both dashboards, each reading it through its own compute server.
        string token = DashboardProcess.IssueHubToken(redis, "viewer", survivor.Process.ApiKey("viewer"));
        var watched = await survivor.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 20 } });
        var onFirst = firstDashboard.WatchHubAsync(watched.Id, token, ClusterServer.JobTimeout);
        var onSecond = secondDashboard.WatchHubAsync(watched.Id, token, ClusterServer.JobTimeout);
        var firstEvents = await onFirst;
        var secondEvents = await onSecond;

        // The batch goes to both workers in turn, and the first worker is killed once both have taken some of it.
        var batch = new List<Job>();
        for (int i = 0; i < JobCount; i++)
        {
            var submitTo = i % 2 == 0 ? doomed : survivor;
            batch.Add(await submitTo.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 1 } }));
        }

        await WaitUntilBothTookJobsAsync(survivor, doomed, batch);
        await doomed.KillAsync();
        await WorkerProcesses.WaitUntilGoneAsync(paused.Id, TimeSpan.FromSeconds(10));
        var pausedEnd = await WaitForEndAsync(survivor, paused.Id);
        var batchEnds = new List<Job>();
        foreach (var job in batch)
            batchEnds.Add(await WaitForEndAsync(survivor, job.Id));
        var owners = new List<string>();
        foreach (var job in batch)
            owners.AddRange((await survivor.ListStartsAsync(job.Id)).Select(start => start.Owner));
        var pausedStarts = await survivor.ListStartsAsync(paused.Id);
        var audit = await survivor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.Equal(Enumerable.Range(1, firstEvents.Count).Select(i => (long)i), firstEvents.Select(e => e.Sequence));
        Assert.Contains(firstEvents, e => e.Phase == "training");
        Assert.True(firstEvents[^1].IsFinal);
        Assert.Equal(firstEvents, secondEvents);
        Assert.True(pausedEnd.State == JobState.Succeeded, $"The reclaimed job ended as {pausedEnd.State}: {pausedEnd.Error}\n{cluster.Logs()}");
        Assert.Equal(2, pausedStarts.Count);
        Assert.True(doomed.Owns(pausedStarts[0].Owner), pausedStarts[0].Owner);
        Assert.True(survivor.Owns(pausedStarts[1].Owner), pausedStarts[1].Owner);
        Assert.All(batchEnds, end => Assert.Equal(JobState.Succeeded, end.State));
        Assert.Contains(owners, doomed.Owns);
        Assert.Contains(owners, survivor.Owns);
        Assert.True(audit.Intact, audit.Reason);
    }

    /// <summary>Waits until the audit trail shows jobs of the batch started by each of the two servers.</summary>
    private static async Task WaitUntilBothTookJobsAsync(ClusterServer reader, ClusterServer other, List<Job> batch)
    {
        var deadline = DateTime.UtcNow + ClusterServer.JobTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var owners = new List<string>();
            foreach (var job in batch)
                owners.AddRange((await reader.ListStartsAsync(job.Id)).Select(start => start.Owner));
            if (owners.Any(reader.Owns) && owners.Any(other.Owns))
                return;
            await Task.Delay(200);
        }

        throw new TimeoutException($"Both servers had not taken a job of the batch within {ClusterServer.JobTimeout.TotalMinutes} min.");
    }

    private static async Task<Job> WaitForEndAsync(ClusterServer server, string jobId)
    {
        await server.WatchToEndAsync(jobId);
        return await server.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
    }
}
