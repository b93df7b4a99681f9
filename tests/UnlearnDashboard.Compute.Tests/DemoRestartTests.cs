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

    [Fact]
    public async Task Restart_UnfinishedSeeding_ResumesIt()
    {
        // The state a first start leaves when it stops after registering adult: no marker, no german-credit, no sets.
        string importDirectory = Path.Combine(_dataDirectory, "import");
        Directory.CreateDirectory(importDirectory);
        File.Copy(Path.Combine(Engine.Data.DatasetProfiles.DataFolder, "adult.csv"), Path.Combine(importDirectory, "adult.csv"));
        File.Copy(Path.Combine(Engine.Data.DatasetProfiles.DataFolder, "adult-test.csv"), Path.Combine(importDirectory, "adult-test.csv"));
        await using (var first = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: false))
        {
            await first.StartAsync();
            using var channel = ComputeServerFixture.CreateChannel(first, _dataDirectory);
            await new DatasetService.DatasetServiceClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest
            {
                Spec = DatasetSpecs.Adult("adult"),
                TrainPath = "adult.csv",
                TestPath = "adult-test.csv",
            });
            await first.StopAsync();
        }

        IReadOnlyList<Job> resumedJobs;
        await using (var second = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: true))
        {
            await second.StartAsync();
            using var channel = ComputeServerFixture.CreateChannel(second, _dataDirectory);
            var jobs = new JobService.JobServiceClient(channel);
            resumedJobs = await WaitForJobCountAsync(jobs, 2);
            foreach (var job in resumedJobs)
                Assert.Equal(JobState.Succeeded, (await JobWatcher.WaitForEndAsync(jobs, job.Id)).State);
            await WaitForMarkerAsync();
            await second.StopAsync();
        }

        await using var third = ComputeServerFixture.CreateServer(_dataDirectory, seedDemo: true);
        await third.StartAsync();
        using var thirdChannel = ComputeServerFixture.CreateChannel(third, _dataDirectory);
        var datasets = (await new DatasetService.DatasetServiceClient(thirdChannel).ListDatasetsAsync(new ListDatasetsRequest())).Datasets;
        var sets = (await new CounterfactualService.CounterfactualServiceClient(thirdChannel).ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest())).Sets;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var finalJobs = (await new JobService.JobServiceClient(thirdChannel).ListJobsAsync(new ListJobsRequest())).Jobs;

        Assert.Equal(["adult", "german-credit"], datasets.Select(d => d.Spec.Name).Order());
        Assert.All(datasets, d => Assert.NotEqual("", d.DefaultModelVersionId));
        Assert.Equal(datasets.Select(d => d.Id).Order(), resumedJobs.Select(j => j.DatasetId).Order());
        Assert.Equal(datasets.Select(d => d.Id).Order(), sets.Where(set => set.Status == CounterfactualSetStatus.Approved).Select(set => set.DatasetId).Order());

        // Once the seeding has finished, a start seeds nothing more.
        Assert.Equal(2, finalJobs.Count);
        Assert.Equal(2, sets.Count);
    }

    private async Task WaitForMarkerAsync()
    {
        string marker = Path.Combine(_dataDirectory, "demo-seeded");
        var deadline = DateTime.UtcNow + QueueTimeout;
        while (!File.Exists(marker))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The seeder did not write {marker} within {QueueTimeout.TotalSeconds} s.");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
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
