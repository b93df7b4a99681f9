using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A server that runs two jobs at once, with German Credit registered.</summary>
public sealed class ConcurrentJobServerFixture : ComputeServerFixture
{
    protected override string[] ExtraArgs => ["--Jobs:MaxConcurrent", "2"];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker("german-credit"),
            TrainPath = "german-credit.csv",
        });
    }
}

public sealed class ConcurrentJobTests(ConcurrentJobServerFixture server) : IClassFixture<ConcurrentJobServerFixture>
{
    [Fact]
    public async Task TrainModel_IdenticalConcurrent_SameWeights()
    {
        var request = new TrainModelRequest { Dataset = "german-credit", Settings = new ModelSettings { Epochs = 30, Seed = 7 } };

        var first = await server.Jobs.TrainModelAsync(request);
        var second = await server.Jobs.TrainModelAsync(request);
        var firstEnd = await JobWatcher.WaitForEndAsync(server.Jobs, first.Id);
        var secondEnd = await JobWatcher.WaitForEndAsync(server.Jobs, second.Id);
        var firstVersion = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = firstEnd.Result.Train.VersionId });
        var secondVersion = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = secondEnd.Result.Train.VersionId });

        Assert.Equal(JobState.Succeeded, firstEnd.State);
        Assert.Equal(JobState.Succeeded, secondEnd.State);
        Assert.True(secondEnd.StartedAt < firstEnd.FinishedAt, "the two jobs did not overlap");
        Assert.Equal(firstVersion.WeightsSha256, secondVersion.WeightsSha256);
    }
}
