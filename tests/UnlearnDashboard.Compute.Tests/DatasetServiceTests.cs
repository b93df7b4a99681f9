using Google.Protobuf;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class DatasetServiceTests(ComputeServerFixture server)
{
    private const int ChunkBytes = 64 * 1024;

    [Fact]
    public async Task RegisterDataset_ImportedAdult_IsListed()
    {
        var request = new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.Adult("adult-imported"),
            TrainPath = "adult.csv",
            TestPath = "adult-test.csv",
        };

        var dataset = await server.Datasets.RegisterDatasetAsync(request);
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Contains(list.Datasets, d => d.Id == dataset.Id && d.Spec.Name == "adult-imported");
        Assert.Equal(64, dataset.TrainSha256.Length);
        Assert.Equal(["Male", "Female"], dataset.Groups);
        Assert.True(dataset.FeatureCount > 100, $"feature_count {dataset.FeatureCount}");
    }

    [Fact]
    public async Task RegisterDataset_DerivedSensitiveColumn_GroupsByDerivedValue()
    {
        var spec = new DatasetSpec
        {
            Name = "german-credit-derived-sex",
            LabelColumn = "credit_risk",
            FavourableLabel = "1",
            SensitiveColumn = "sex",
            ValidationFraction = 0.2,
            TestFraction = 0.2,
        };
        var sex = new DerivedColumn { Name = "sex", SourceColumn = "personal_status_sex" };
        sex.Values.Add(new Dictionary<string, string> { ["A91"] = "male", ["A92"] = "female", ["A93"] = "male", ["A94"] = "male" });
        sex.OtherValue = "female";
        spec.DerivedColumns.Add(sex);

        var dataset = await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec, TrainPath = "german-credit.csv" });

        Assert.Equal(["male", "female"], dataset.Groups);
        Assert.Equal(spec.DerivedColumns, dataset.Spec.DerivedColumns);
    }

    [Fact]
    public async Task RegisterDataset_DerivedColumnWithoutValues_NamesField()
    {
        var spec = DatasetSpecs.Adult("adult-empty-derived");
        spec.DerivedColumns.Add(new DerivedColumn { Name = "older", SourceColumn = "age" });

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(
            new RegisterDatasetRequest { Spec = spec, TrainPath = "adult.csv" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["spec.derived_columns[0].values"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task GetDataset_ByName_MatchesById()
    {
        var registered = await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.Adult("adult-by-name"),
            TrainPath = "adult.csv",
        });

        var byName = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult-by-name" });
        var byId = await server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = registered.Id });

        Assert.Equal(registered, byName);
        Assert.Equal(registered, byId);
    }

    [Theory]
    [InlineData("../adult.csv")]
    [InlineData("nested/../../adult.csv")]
    [InlineData("/etc/passwd")]
    public async Task RegisterDataset_PathOutsideImportFolder_IsInvalidArgument(string trainPath)
    {
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("escape"), TrainPath = trainPath };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["train_path"], RpcAssert.ViolatedFields(error));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("folder")]
    public async Task RegisterDataset_SymbolicLinkOut_IsInvalidArgument(string linked)
    {
        string outside = Directory.CreateTempSubdirectory("unlearn-outside-").FullName;
        File.Copy(Path.Combine(server.ImportDirectory, "adult.csv"), Path.Combine(outside, "adult.csv"));
        string link = Path.Combine(server.ImportDirectory, $"link-{linked}-{Guid.NewGuid():N}");
        string trainPath = Path.GetFileName(link);
        if (linked == "file")
        {
            File.CreateSymbolicLink(link, Path.Combine(outside, "adult.csv"));
        }
        else
        {
            Directory.CreateSymbolicLink(link, outside);
            trainPath += "/adult.csv";
        }

        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult($"symlink-{linked}"), TrainPath = trainPath };
        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["train_path"], RpcAssert.ViolatedFields(error));
        Assert.Contains("symbolic link", error.Status.Detail);
        Directory.Delete(outside, recursive: true);
    }

    [Fact]
    public async Task RegisterDataset_Fifo_IsInvalidWithoutBlocking()
    {
        string fifo = $"fifo-{Guid.NewGuid():N}.csv";
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(server.ImportDirectory, fifo)))
            await mkfifo.WaitForExitAsync();
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("fifo"), TrainPath = fifo };

        // Opening a FIFO blocks until a writer opens it, so a server that opened it would not respond before the deadline.
        var error = await RpcAssert.FailsAsync(
            () => server.Datasets.RegisterDatasetAsync(request, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["train_path"], RpcAssert.ViolatedFields(error));
        Assert.Contains("not a regular file", error.Status.Detail);
    }

    [Theory]
    [InlineData("dataset")]
    [InlineData("train_path")]
    public async Task LongValue_EchoedInError_IsCut(string field)
    {
        string value = new('x', 5000);

        var error = field == "dataset"
            ? await RpcAssert.FailsAsync(() => server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = value }).ResponseAsync)
            : await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(
                new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("long-path"), TrainPath = value }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.InRange(error.Status.Detail.Length, 900, 1000);
        Assert.EndsWith("characters in all)", error.Status.Detail);
    }

    [Fact]
    public async Task RegisterDataset_NulInPath_IsInvalid()
    {
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("null-char"), TrainPath = "adult\0.csv" };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("U+0000 at position 5", error.Status.Detail);
    }

    [Fact]
    public async Task RegisterDataset_TakenName_IsAlreadyExists()
    {
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult-twice"), TrainPath = "adult.csv" };
        await server.Datasets.RegisterDatasetAsync(request);

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Fact]
    public async Task UploadDataset_AdultIn64KiBChunks_Succeeds()
    {
        using var call = server.Datasets.UploadDataset();

        await call.RequestStream.WriteAsync(new UploadDatasetChunk { Spec = DatasetSpecs.Adult("adult-uploaded") });
        await SendFileAsync(call.RequestStream, Path.Combine(server.ImportDirectory, "adult.csv"), DatasetFileRole.Train);
        await SendFileAsync(call.RequestStream, Path.Combine(server.ImportDirectory, "adult-test.csv"), DatasetFileRole.Test);
        await call.RequestStream.CompleteAsync();
        var dataset = await call;

        // adult.csv has 32,561 records (30,162 complete) and adult-test.csv 16,281 (15,060 complete).
        Assert.Equal(32_561 + 16_281, dataset.TrainRows + dataset.ValidationRows + dataset.TestRows + dataset.DroppedRows + dataset.ExcludedRows);
        Assert.Equal(30_162, dataset.TrainRows + dataset.ValidationRows);
        Assert.Equal(15_060, dataset.TestRows);
        Assert.NotEmpty(dataset.TestSha256);
    }

    [Fact]
    public async Task UploadDataset_MissingLabel_StoresNothing()
    {
        int artifactsBefore = server.CountArtifacts();
        byte[] csv = "age,sex,outcome\n39,Male,<=50K\n50,Female,>50K\n"u8.ToArray();
        using var call = server.Datasets.UploadDataset();

        await call.RequestStream.WriteAsync(new UploadDatasetChunk { Spec = DatasetSpecs.Adult("bad-upload") });
        await call.RequestStream.WriteAsync(new UploadDatasetChunk
        {
            Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(csv) },
        });
        await call.RequestStream.CompleteAsync();
        var error = await RpcAssert.FailsAsync(() => call.ResponseAsync);
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("income", error.Status.Detail);
        Assert.DoesNotContain(list.Datasets, d => d.Spec.Name == "bad-upload");
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Fact]
    public async Task UploadDataset_TooFewRowsToSplit_StoresNothing()
    {
        int artifactsBefore = server.CountArtifacts();
        byte[] csv = "age,sex,income\n39,Male,<=50K\n50,Female,>50K\n41,Male,>50K\n28,Female,<=50K\n"u8.ToArray();
        using var call = server.Datasets.UploadDataset();

        await call.RequestStream.WriteAsync(new UploadDatasetChunk { Spec = DatasetSpecs.Adult("tiny-upload") });
        await call.RequestStream.WriteAsync(new UploadDatasetChunk
        {
            Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(csv) },
        });
        await call.RequestStream.CompleteAsync();
        var error = await RpcAssert.FailsAsync(() => call.ResponseAsync);
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("validation split has", error.Status.Detail);
        Assert.DoesNotContain(list.Datasets, d => d.Spec.Name == "tiny-upload");
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Fact]
    public async Task UploadDataset_ChunkOverLimit_IsInvalidArgument()
    {
        using var call = server.Datasets.UploadDataset();

        await call.RequestStream.WriteAsync(new UploadDatasetChunk { Spec = DatasetSpecs.Adult("big-chunk") });
        await call.RequestStream.WriteAsync(new UploadDatasetChunk
        {
            Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(new byte[1024 * 1024 + 1]) },
        });
        await call.RequestStream.CompleteAsync();
        var error = await RpcAssert.FailsAsync(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["chunk.data"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task GetDataset_UnknownName_IsNotFound()
    {
        var request = new GetDatasetRequest { Dataset = "no-such-dataset" };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.GetDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    private static async Task SendFileAsync(IClientStreamWriter<UploadDatasetChunk> stream, string path, DatasetFileRole role)
    {
        await using var file = File.OpenRead(path);
        var buffer = new byte[ChunkBytes];
        int read;
        while ((read = await file.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(new UploadDatasetChunk
            {
                Chunk = new FileChunk { Role = role, Data = ByteString.CopyFrom(buffer, 0, read) },
            });
        }
    }
}

public sealed class DatasetServiceSqliteTests(ComputeServerFixture server) : DatasetServiceTests(server), IClassFixture<ComputeServerFixture>;

public sealed class DatasetServicePostgresTests(PostgresComputeServerFixture server) : DatasetServiceTests(server), IClassFixture<PostgresComputeServerFixture>;
