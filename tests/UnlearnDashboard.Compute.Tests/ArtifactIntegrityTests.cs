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

    [Theory]
    [InlineData("last byte flipped")]
    [InlineData("cut to half")]
    [InlineData("emptied")]
    public async Task Debias_DamagedBaseWeights_FailsJob(string damage)
    {
        var dataset = await RegisterGermanAsync($"german-damaged-weights-{damage.Replace(' ', '-')}");
        var training = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = dataset.Spec.Name, Settings = new ModelSettings { Epochs = 1 } });
        var trained = await JobWatcher.WaitForEndAsync(server.Jobs, training.Id);
        var version = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = trained.Result.Train.VersionId });

        await DamageWeightsAsync(version.WeightsSha256, damage);
        var job = await server.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = dataset.Spec.Name,
            ModelVersionId = version.Id,
            SensitiveAttribute = "foreign_worker",
            Method = DebiasMethod.GradientAscent,
        });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);
        var versions = await server.Models.ListVersionsAsync(new ListVersionsRequest { ModelId = version.ModelId });
        var after = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = dataset.Id });

        Assert.Equal(JobState.Failed, finished.State);
        Assert.Contains($"Artifact {version.WeightsSha256} is damaged: ", finished.Error);
        Assert.Contains(damage == "emptied" ? "the file is empty" : "its SHA-256 is", finished.Error);
        Assert.Contains($"expected SHA-256 {version.WeightsSha256}", finished.Error);
        Assert.DoesNotContain(server.DataDirectory, finished.Error);
        Assert.Equal([version.Id], versions.Versions.Select(v => v.Id));
        Assert.Equal(version.Id, after.DefaultModelVersionId);
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

    /// <summary>Damages a stored weights file as a disk, a full volume or a careless edit might.</summary>
    private async Task DamageWeightsAsync(string sha256, string damage)
    {
        string path = Path.Combine(server.ArtifactDirectory, sha256[..2], sha256);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        byte[] damaged = damage switch
        {
            "last byte flipped" => [.. bytes[..^1], (byte)(bytes[^1] ^ 0xFF)],
            "cut to half" => bytes[..(bytes.Length / 2)],
            "emptied" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(damage), damage, "Unknown damage."),
        };
        await File.WriteAllBytesAsync(path, damaged);
    }

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
