using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class ServerTests(ComputeServerFixture server)
{
    [Fact]
    public async Task Health_AfterStart_IsServing()
    {
        var health = new Health.HealthClient(server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesComputeServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("unlearn.v1.DatasetService", services);
        Assert.Contains("unlearn.v1.ModelService", services);
        Assert.Contains("unlearn.v1.JobService", services);
    }

    [Fact]
    public async Task ListJobs_NoDemoSeeding_IsEmpty()
    {
        var jobs = await server.Jobs.ListJobsAsync(new ListJobsRequest());

        Assert.Empty(jobs.Jobs);
    }

    [Fact]
    public async Task Start_ZeroMaxConcurrent_FailsValidation()
    {
        string dataDirectory = Directory.CreateTempSubdirectory("unlearn-compute-tests-").FullName;
        await using var app = ComputeServerFixture.CreateServer(dataDirectory, seedDemo: false, "--Jobs:MaxConcurrent", "0");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Directory.Delete(dataDirectory, recursive: true);

        Assert.Contains("Jobs:MaxConcurrent", error.Message);
    }

    [Theory]
    [InlineData("mysql", "", "Database:Provider 'mysql' is unknown")]
    [InlineData("postgres", "", "Database:ConnectionString is empty")]
    public async Task Start_BadDatabaseOptions_FailsValidation(string provider, string connectionString, string expected)
    {
        string dataDirectory = Directory.CreateTempSubdirectory("unlearn-compute-tests-").FullName;
        await using var app = ComputeServerFixture.CreateServer(dataDirectory, seedDemo: false,
            "--Database:Provider", provider, "--Database:ConnectionString", connectionString);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Directory.Delete(dataDirectory, recursive: true);

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("", "Pause", "5", "Testing:FaultInjection:EventCount is 5, but it applies only when")]
    [InlineData("german-credit", "Pause", "5", "Testing:FaultInjection:EventCount is 5, but it applies only when")]
    [InlineData("german-credit", "EmitProgress", "", "Testing:FaultInjection:EventCount is required")]
    public async Task Start_EmitProgressOptionsWithoutTheirFault_FailsValidation(string dataset, string action, string eventCount, string expected)
    {
        string dataDirectory = Directory.CreateTempSubdirectory("unlearn-compute-tests-").FullName;
        await using var app = ComputeServerFixture.CreateServer(dataDirectory, seedDemo: false,
            "--Testing:FaultInjection:Dataset", dataset, "--Testing:FaultInjection:Phase", "loading",
            "--Testing:FaultInjection:Action", action, "--Testing:FaultInjection:EventCount", eventCount);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Directory.Delete(dataDirectory, recursive: true);

        Assert.Contains(expected, error.Message);
    }
}

public sealed class ServerSqliteTests(ComputeServerFixture server) : ServerTests(server), IClassFixture<ComputeServerFixture>;

public sealed class ServerPostgresTests(PostgresComputeServerFixture server) : ServerTests(server), IClassFixture<PostgresComputeServerFixture>;
