using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Every path that reads a stored artifact checks its SHA-256: a damaged dataset file, counterfactual set or
/// weights file is reported as DATA_LOSS (or a failed job) instead of being used.
/// </summary>
public abstract class ArtifactIntegrityTests(ComputeServerFixture server)
{
    [Fact]
    public async Task LoadDataset_DamagedTrainFile_IsDataLoss()
    {
        var dataset = await RegisterGermanAsync("german-damaged-train");

        // Loaded datasets stay in memory, so the damaged file is read only after a restart.
        await server.StopServerAsync();
        await DamageArtifactAsync(dataset.TrainSha256);
        await server.StartServerAsync();
        var error = await RpcAssert.FailsAsync(() =>
            server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(dataset.Spec.Name)).ResponseAsync);

        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal(["artifact"], RpcAssert.ViolatedFields(error));
        Assert.Contains(dataset.TrainSha256, error.Status.Detail);
    }

    [Fact]
    public async Task GetCounterfactualSet_DamagedArtifact_IsDataLoss()
    {
        var dataset = await RegisterGermanAsync("german-damaged-set");
        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(dataset.Spec.Name));

        await DamageArtifactAsync(set.ArtifactSha256);
        var error = await RpcAssert.FailsAsync(() =>
            server.Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = set.Id }).ResponseAsync);

        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal(["artifact"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task Debias_DamagedBaseWeights_FailsJob()
    {
        var dataset = await RegisterGermanAsync("german-damaged-weights");
        var training = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = dataset.Spec.Name, Settings = new ModelSettings { Epochs = 1 } });
        var trained = await JobWatcher.WaitForEndAsync(server.Jobs, training.Id);
        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = trained.Result.Train.VersionId });

        await DamageArtifactAsync(version.WeightsSha256);
        var job = await server.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = dataset.Spec.Name,
            ModelVersionId = version.Id,
            SensitiveAttribute = "foreign_worker",
            Method = DebiasMethod.GradientAscent,
        });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        Assert.Equal(JobState.Failed, finished.State);
        Assert.Contains("damaged", finished.Error);
        Assert.Contains(version.WeightsSha256, finished.Error);
    }

    [Fact]
    public async Task Register_SameFileOverDamagedArtifact_RepairsIt()
    {
        var first = await RegisterGermanAsync("german-repaired-first");
        await DamageArtifactAsync(first.TrainSha256);

        await RegisterGermanAsync("german-repaired-second");
        string path = Path.Combine(server.ArtifactDirectory, first.TrainSha256[..2], first.TrainSha256);
        string actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(path)));

        Assert.Equal(first.TrainSha256, actual);
    }

    private async Task<Dataset> RegisterGermanAsync(string name) =>
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditByForeignWorker(name),
            TrainPath = "german-credit.csv",
        });

    private static GenerateCounterfactualSetRequest GermanSetRequest(string dataset) => new()
    {
        Dataset = dataset,
        SensitiveValueMap = { ["A201"] = "A202", ["A202"] = "A201" },
        MaxRows = 50,
        Seed = 5,
        RequestedBy = "engineer",
    };

    /// <summary>Flips the last byte of a stored artifact, as a disk or a careless edit might.</summary>
    private async Task DamageArtifactAsync(string sha256)
    {
        string path = Path.Combine(server.ArtifactDirectory, sha256[..2], sha256);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
    }
}

public sealed class ArtifactIntegritySqliteTests(ComputeServerFixture server) : ArtifactIntegrityTests(server), IClassFixture<ComputeServerFixture>;

public sealed class ArtifactIntegrityPostgresTests(PostgresComputeServerFixture server) : ArtifactIntegrityTests(server), IClassFixture<PostgresComputeServerFixture>;
