using Grpc.Health.V1;

namespace UnlearnDashboard.Compute.Tests;

public sealed class ServerTests(ComputeServerFixture server) : IClassFixture<ComputeServerFixture>
{
    [Fact]
    public async Task Health_AfterStart_IsServing()
    {
        var health = new Health.HealthClient(server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task ListJobs_NoDemoSeeding_IsEmpty()
    {
        var jobs = await server.Jobs.ListJobsAsync(new Protos.V1.ListJobsRequest());

        Assert.Empty(jobs.Jobs);
    }
}
