using Grpc.Health.V1;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>A native crash in one job's worker process, next to a normal job on the same server.</summary>
public sealed class WorkerFaultTests
{
    [Theory]
    [InlineData("Abort")]
    [InlineData("NativeError")]
    public async Task NativeCrash_DuringRanking_FailsOnlyThatJob(string action)
    {
        await using var compute = await IsolatedCompute.StartAsync(
            "--Jobs:MaxConcurrent", "2",
            "--Testing:FaultInjection:Dataset", "german-faulty",
            "--Testing:FaultInjection:Phase", "ranking",
            "--Testing:FaultInjection:Action", action);
        await compute.RegisterGermanCreditAsync("german");
        await compute.RegisterGermanCreditAsync("german-faulty");
        var normalBase = await compute.TrainAsync("german");
        var faultyBase = await compute.TrainAsync("german-faulty");

        var request = new DebiasRequest { Method = DebiasMethod.InfluenceNewton, RemoveFraction = 0.05 };
        var faulty = await compute.Jobs.SubmitDebiasAsync(new DebiasRequest(request) { Dataset = "german-faulty" });
        var normal = await compute.Jobs.SubmitDebiasAsync(new DebiasRequest(request) { Dataset = "german" });
        var faultyEnd = await compute.WaitForEndAsync(faulty.Id);
        var normalEnd = await compute.WaitForEndAsync(normal.Id);
        var health = await new Health.HealthClient(compute.Server.CreateChannel()).CheckAsync(new HealthCheckRequest());
        var versions = await compute.Models.ListVersionsAsync(new ListVersionsRequest());

        Assert.Equal(JobState.Succeeded, normalBase.State);
        Assert.Equal(JobState.Succeeded, faultyBase.State);
        Assert.Equal(JobState.Failed, faultyEnd.State);
        Assert.Equal("The worker process was killed by signal 6 (SIGABRT) during ranking; nothing the job did was kept.", faultyEnd.Error);
        Assert.Equal(JobState.Succeeded, normalEnd.State);
        Assert.False(compute.Server.HasExited);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(3, versions.Versions.Count);
        Assert.DoesNotContain(versions.Versions, v => v.JobId == faulty.Id);
        Assert.Empty(WorkerProcesses.Of(faulty.Id));
    }
}
