using Microsoft.Data.Sqlite;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A first start with demo seeding that stops before the demo training ends, then a second start on the same folder.</summary>
public sealed class DemoRestartTests : IDisposable
{
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("unlearn-demo-restart-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Restart_InterruptedDemoTraining_QueuesItAgain()
    {
        // Jobs run one at a time, so adult's training ends before german-credit's starts and pauses.
        string[] pauseGermanTraining =
        [
            "--Testing:FaultInjection:Dataset", "german-credit",
            "--Testing:FaultInjection:Phase", "training",
            "--Testing:FaultInjection:Action", "Pause",
        ];
        Dictionary<string, string> datasetIds;
        Job adultFirst;
        Job germanFirst;
        await using (var first = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: true, pauseGermanTraining))
        {
            await first.StartAsync();
            using var channel = ComputeServerFixture.CreateChannel(first, _dataDirectory);
            var jobs = new JobService.JobServiceClient(channel);
            var seeded = await WaitForJobCountAsync(jobs, 2);
            datasetIds = await DatasetIdsAsync(channel);
            adultFirst = seeded.Single(j => j.DatasetId == datasetIds["adult"]);
            germanFirst = seeded.Single(j => j.DatasetId == datasetIds["german-credit"]);
            await JobWatcher.WaitForPhaseAsync(jobs, germanFirst.Id, "training");
            await first.StopAsync();
        }

        await using var second = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: true);
        await second.StartAsync();
        using var secondChannel = ComputeServerFixture.CreateChannel(second, _dataDirectory);
        var secondJobs = new JobService.JobServiceClient(secondChannel);
        var all = await WaitForJobCountAsync(secondJobs, 3);
        var germanAgain = all.Single(j => j.Id != adultFirst.Id && j.Id != germanFirst.Id);
        var germanAgainEnd = await JobWatcher.WaitForEndAsync(secondJobs, germanAgain.Id);
        var germanFirstAfter = await secondJobs.GetJobAsync(new GetJobRequest { JobId = germanFirst.Id });
        var adultFirstAfter = await secondJobs.GetJobAsync(new GetJobRequest { JobId = adultFirst.Id });
        var datasets = (await new DatasetService.DatasetServiceClient(secondChannel).ListDatasetsAsync(new ListDatasetsRequest())).Datasets;
        var german = datasets.Single(d => d.Spec.Name == "german-credit");
        var adult = datasets.Single(d => d.Spec.Name == "adult");
        var finalJobs = (await secondJobs.ListJobsAsync(new ListJobsRequest())).Jobs;

        Assert.Equal(JobState.Interrupted, germanFirstAfter.State);
        Assert.Equal(JobState.Succeeded, adultFirstAfter.State);
        Assert.Equal(datasetIds["german-credit"], germanAgain.DatasetId);
        Assert.Equal(JobKind.Train, germanAgain.Kind);
        Assert.Equal(JobState.Succeeded, germanAgainEnd.State);
        Assert.Equal(germanAgainEnd.Result.Train.VersionId, german.DefaultModelVersionId);
        Assert.Equal(adultFirstAfter.Result.Train.VersionId, adult.DefaultModelVersionId);
        Assert.Equal(3, finalJobs.Count);
    }

    /// <summary>Polls until the server lists at least <paramref name="count"/> jobs and returns them.</summary>
    private static async Task<IReadOnlyList<Job>> WaitForJobCountAsync(JobService.JobServiceClient jobs, int count)
    {
        var deadline = DateTime.UtcNow + QueueTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var listed = (await jobs.ListJobsAsync(new ListJobsRequest())).Jobs;
            if (listed.Count >= count)
                return listed;
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"The server did not list {count} jobs within {QueueTimeout.TotalSeconds} s.");
    }

    private static async Task<Dictionary<string, string>> DatasetIdsAsync(Grpc.Net.Client.GrpcChannel channel)
    {
        var datasets = await new DatasetService.DatasetServiceClient(channel).ListDatasetsAsync(new ListDatasetsRequest());
        return datasets.Datasets.ToDictionary(d => d.Spec.Name, d => d.Id);
    }
}
