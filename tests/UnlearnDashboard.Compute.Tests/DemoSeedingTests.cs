using System.Diagnostics;
using UnlearnDashboard.Protos.V1;
using Xunit.Abstractions;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A server started with SeedDemo on and an empty data folder.</summary>
public class DemoServerFixture : ComputeServerFixture
{
    public Stopwatch SinceStart { get; } = new();

    protected override bool SeedDemo => true;

    public override Task InitializeAsync()
    {
        SinceStart.Start();
        return base.InitializeAsync();
    }
}

public sealed class PostgresDemoServerFixture : DemoServerFixture
{
    public override bool UsesPostgres => true;
}

public abstract class DemoSeedingTests(DemoServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task FirstStart_SeedsDatasetsWithDefaultVersions()
    {
        var jobs = await WaitForSeedJobsAsync();
        foreach (var job in jobs)
            await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);
        output.WriteLine($"Demo seeding and training took {server.SinceStart.Elapsed.TotalSeconds:F1} s since the server started");

        var datasets = (await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest())).Datasets;
        var finished = (await server.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs;

        Assert.Equal(["adult", "german-credit"], datasets.Select(d => d.Spec.Name).Order());
        Assert.All(datasets, d => Assert.NotEmpty(d.DefaultModelVersionId));
        Assert.All(finished, j => Assert.Equal(JobState.Succeeded, j.State));
        foreach (var dataset in datasets)
            await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = dataset.DefaultModelVersionId });
    }

    [Fact]
    public async Task FirstStart_SeedsApprovedCounterfactualSets()
    {
        var sets = await WaitForApprovedSetsAsync();

        Assert.Equal(2, sets.Count);
        Assert.Equal(2, sets.Select(s => s.DatasetId).Distinct().Count());
        Assert.All(sets, s => Assert.Equal("engineer", s.RequestedBy));
        Assert.All(sets, s => Assert.Equal("compliance", s.ReviewedBy));
        Assert.All(sets, s => Assert.True(s.RowCount > 0));
    }

    /// <summary>Polls until the seeder has approved a counterfactual set for each demo dataset.</summary>
    private async Task<IReadOnlyList<CounterfactualSet>> WaitForApprovedSetsAsync()
    {
        var deadline = DateTime.UtcNow + JobWatcher.JobTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var sets = (await server.Counterfactuals.ListCounterfactualSetsAsync(
                new ListCounterfactualSetsRequest { Status = CounterfactualSetStatus.Approved })).Sets;
            if (sets.Count == 2)
                return sets;
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException("The demo seeder did not approve two counterfactual sets in time.");
    }

    /// <summary>Polls until the seeder has queued a training job for each demo dataset.</summary>
    private async Task<IReadOnlyList<Job>> WaitForSeedJobsAsync()
    {
        var deadline = DateTime.UtcNow + JobWatcher.JobTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var jobs = (await server.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs;
            if (jobs.Count == 2)
                return jobs;
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException("The demo seeder did not queue two training jobs in time.");
    }
}

public sealed class DemoSeedingSqliteTests(DemoServerFixture server, ITestOutputHelper output) : DemoSeedingTests(server, output), IClassFixture<DemoServerFixture>;

public sealed class DemoSeedingPostgresTests(PostgresDemoServerFixture server, ITestOutputHelper output) : DemoSeedingTests(server, output), IClassFixture<PostgresDemoServerFixture>;
