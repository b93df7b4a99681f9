using Google.Protobuf;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A server whose queue takes one waiting job and whose uploads take at most 100,000 bytes.</summary>
public class SmallLimitsFixture : ComputeServerFixture
{
    public const int MaxUploadBytes = 100_000;

    protected override string[] ExtraArgs => ["--Jobs:MaxQueued", "1", "--Upload:MaxTotalBytes", MaxUploadBytes.ToString()];
}

public sealed class PostgresSmallLimitsFixture : SmallLimitsFixture
{
    public override bool UsesPostgres => true;
}

public abstract class LimitTests(SmallLimitsFixture server)
{
    [Fact]
    public async Task TrainModel_QueueFull_IsResourceExhausted()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult"), TrainPath = "adult.csv" });
        var request = new TrainModelRequest { Dataset = "adult", Settings = new ModelSettings { Epochs = 500 } };
        var running = await server.Jobs.TrainModelAsync(request);
        await JobWatcher.WaitForPhaseAsync(server.Jobs, running.Id, "training");
        var queued = await server.Jobs.TrainModelAsync(request);

        var error = await RpcAssert.FailsAsync(() => server.Jobs.TrainModelAsync(request).ResponseAsync);
        await server.Jobs.CancelJobAsync(new CancelJobRequest { JobId = queued.Id });
        await server.Jobs.CancelJobAsync(new CancelJobRequest { JobId = running.Id });
        var jobs = await server.Jobs.ListJobsAsync(new ListJobsRequest());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Jobs:MaxQueued", error.Status.Detail);
        Assert.Equal(2, jobs.Jobs.Count);
    }

    [Fact]
    public async Task UploadDataset_OverTotalLimit_IsResourceExhausted()
    {
        int artifactsBefore = server.CountArtifacts();
        using var call = server.Datasets.UploadDataset();

        var chunk = new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(new byte[40_000]) } };

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = DatasetSpecs.Adult("too-big") }, chunk, chunk, chunk));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains(SmallLimitsFixture.MaxUploadBytes.ToString(), error.Status.Detail);
        Assert.Equal(artifactsBefore, server.CountArtifacts());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "staging")));
    }
}

public sealed class LimitSqliteTests(SmallLimitsFixture server) : LimitTests(server), IClassFixture<SmallLimitsFixture>;

public sealed class LimitPostgresTests(PostgresSmallLimitsFixture server) : LimitTests(server), IClassFixture<PostgresSmallLimitsFixture>;
