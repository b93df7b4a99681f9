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

    [Theory]
    [InlineData(new[] { 4, -1 }, "spec.validation_records[1]", "spec.validation_records[1] is -1; record positions start at 0.")]
    [InlineData(new[] { 7, 3, 7 }, "spec.validation_records[2]", "spec.validation_records[2] repeats record 7; name each record once.")]
    public async Task RegisterDataset_BadValidationRecords_NamesItem(int[] records, string field, string message)
    {
        var spec = DatasetSpecs.Adult("adult-bad-validation");
        spec.ClearValidationFraction();
        spec.ValidationRecords.Add(records);

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(
            new RegisterDatasetRequest { Spec = spec, TrainPath = "adult.csv", TestPath = "adult-test.csv" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
        Assert.Equal(message, error.Status.Detail);
    }

    [Fact]
    public async Task RegisterDataset_ValidationRecordPastTheFile_NamesItem()
    {
        var spec = DatasetSpecs.Adult("adult-validation-past-end");
        spec.ClearValidationFraction();
        spec.ValidationRecords.Add([0, 40000]);

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(
            new RegisterDatasetRequest { Spec = spec, TrainPath = "adult.csv", TestPath = "adult-test.csv" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["validation_records[1]"], RpcAssert.ViolatedFields(error));
        Assert.StartsWith("validation_records[1] is 40000, but ", error.Status.Detail);
        Assert.EndsWith(" has 32,561 records, numbered from 0.", error.Status.Detail);
    }

    [Fact]
    public async Task RegisterDataset_ValidationFractionAndRecords_IsInvalid()
    {
        var spec = DatasetSpecs.Adult("adult-validation-both");
        spec.ValidationFraction = 0.5;
        spec.ValidationRecords.Add([0, 2, 4]);

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(
            new RegisterDatasetRequest { Spec = spec, TrainPath = "adult.csv", TestPath = "adult-test.csv" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["spec.validation_fraction"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task RegisterDataset_ValidationRecords_FormTheValidationSplit()
    {
        var spec = DatasetSpecs.Adult("adult-named-validation");
        spec.ClearValidationFraction();
        spec.ValidationRecords.Add(Enumerable.Range(0, 3000).Select(i => 2 * i));

        var dataset = await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec, TrainPath = "adult.csv", TestPath = "adult-test.csv" });

        // Records with a missing value are dropped from every split, so slightly fewer than 3,000 remain.
        Assert.InRange(dataset.ValidationRows, 2700, 3000);
        Assert.Equal(spec.ValidationRecords, dataset.Spec.ValidationRecords);
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

    [Theory]
    [InlineData("adult\u001b[2J", "adult\\u001B[2J")]
    [InlineData("tluda\u202E", "tluda\\u202E")]
    public async Task HiddenCharacters_EchoedInError_AreEscaped(string dataset, string escaped)
    {
        var error = await RpcAssert.FailsAsync(() => server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = dataset }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains($"'{escaped}'", error.Status.Detail);
        Assert.DoesNotContain(error.Status.Detail, char.IsControl);
    }

    [Fact]
    public async Task GetDataset_NulInName_IsInvalid()
    {
        var error = await RpcAssert.FailsAsync(() => server.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = "adult\0" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["dataset"], RpcAssert.ViolatedFields(error));
        Assert.Equal("dataset contains the character U+0000 at position 5; no name, id or text in a request may contain it.", error.Status.Detail);
    }

    [Fact]
    public async Task RegisterDataset_NulInPath_IsInvalid()
    {
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("null-char"), TrainPath = "adult\0.csv" };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("U+0000 at position 5", error.Status.Detail);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-adult")]
    public async Task RegisterDataset_LeadingSymbolName_IsInvalid(string name)
    {
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult(name), TrainPath = "adult.csv" };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["spec.name"], RpcAssert.ViolatedFields(error));
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
    public async Task RegisterDataset_NameInOtherCase_IsAlreadyExists()
    {
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("adult-cased"), TrainPath = "adult.csv" });
        var request = new RegisterDatasetRequest { Spec = DatasetSpecs.Adult("Adult-Cased"), TrainPath = "adult.csv" };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.RegisterDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Equal(
            "A dataset named 'adult-cased' already exists (dataset names are compared ignoring case); choose another spec.name.",
            error.Status.Detail);
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

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = DatasetSpecs.Adult("bad-upload") },
            new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(csv) } }));
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("income", error.Status.Detail);
        Assert.DoesNotContain(list.Datasets, d => d.Spec.Name == "bad-upload");
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Fact]
    public async Task UploadDataset_NulInSpecName_StoresNothing()
    {
        int artifactsBefore = server.CountArtifacts();
        byte[] csv = "age,sex,income\n39,Male,<=50K\n50,Female,>50K\n"u8.ToArray();
        using var call = server.Datasets.UploadDataset();

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = DatasetSpecs.Adult("nul\0name") },
            new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(csv) } }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["spec.name"], RpcAssert.ViolatedFields(error));
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Fact]
    public async Task UploadDataset_TooFewRowsToSplit_StoresNothing()
    {
        int artifactsBefore = server.CountArtifacts();
        byte[] csv = "age,sex,income\n39,Male,<=50K\n50,Female,>50K\n41,Male,>50K\n28,Female,<=50K\n"u8.ToArray();
        using var call = server.Datasets.UploadDataset();

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = DatasetSpecs.Adult("tiny-upload") },
            new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(csv) } }));
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("validation split has", error.Status.Detail);
        Assert.DoesNotContain(list.Datasets, d => d.Spec.Name == "tiny-upload");
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Theory]
    [InlineData("no header", "label_column", "Column name '25' is a number, so the file may have no header row")]
    [InlineData("semicolons", "train_file", "looks ';'-separated")]
    [InlineData("ragged row", "train_file", "Line 5 of uploaded training file has 5 fields, but the header has 4")]
    [InlineData("invalid UTF-8", "train_file", "is not valid UTF-8: byte 0xFC")]
    [InlineData("empty file", "train_file", "is empty")]
    [InlineData("no complete row", "train_file", "No rows of uploaded training file are left")]
    [InlineData("three labels", "y", "Label column 'y' must have exactly two values")]
    [InlineData("favourable absent", "favourable_label", "Favourable label '1' is not a value of label column 'y'")]
    [InlineData("no sensitive column", "sensitive_column", "Sensitive column 'sex' is not a column of")]
    [InlineData("one group", "sex", "Sensitive column 'sex' has only one group, 'Male'")]
    [InlineData("sensitive all missing", "sex", "Sensitive column 'sex' has missing values in 60 rows")]
    [InlineData("text in numbers", "age", "Column 'age' contains numbers in 59 of its 60 values")]
    [InlineData("identifier column", "customer", "so it looks like an identifier")]
    [InlineData("long cell", "train_file", "Column 'city' at line 6 of uploaded training file holds 5,000 characters; a value may have at most 1,000")]
    [InlineData("too many columns", "train_file", "has 2,004 columns; at most 2,000 are accepted")]
    public async Task UploadDataset_BadFile_NamesFieldAndStoresNothing(string kind, string field, string expected)
    {
        string name = "bad-" + kind.Replace(' ', '-').Replace("UTF-8", "utf8", StringComparison.Ordinal);
        var spec = new DatasetSpec { Name = name, LabelColumn = "y", FavourableLabel = "1", SensitiveColumn = "sex", ValidationFraction = 0.2 };
        int artifactsBefore = server.CountArtifacts();
        using var call = server.Datasets.UploadDataset();

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = spec },
            new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(BadFile(kind)) } }));
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
        Assert.Contains(expected, error.Status.Detail);
        Assert.DoesNotContain(list.Datasets, d => d.Spec.Name == name);
        Assert.Equal(artifactsBefore, server.CountArtifacts());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "staging")));
    }

    [Fact]
    public async Task UploadDataset_ChunkOverLimit_IsInvalidArgument()
    {
        using var call = server.Datasets.UploadDataset();

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = DatasetSpecs.Adult("big-chunk") },
            new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(new byte[1024 * 1024 + 1]) } }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["chunk.data"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task UploadDataset_MessageOverGrpcLimit_IsResourceExhausted()
    {
        // Both Adult files in one message: 3,974,461 + 2,003,288 = 5,977,749 bytes, over gRPC's default 4 MiB.
        byte[] both = [
            .. File.ReadAllBytes(Path.Combine(server.ImportDirectory, "adult.csv")),
            .. File.ReadAllBytes(Path.Combine(server.ImportDirectory, "adult-test.csv")),
        ];
        int artifactsBefore = server.CountArtifacts();
        using var call = server.Datasets.UploadDataset();

        var oneMessage = new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = ByteString.CopyFrom(both) } };

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new UploadDatasetChunk { Spec = DatasetSpecs.Adult("one-message") }, oneMessage));
        var list = await server.Datasets.ListDatasetsAsync(new ListDatasetsRequest());

        Assert.Equal(5_977_749, both.Length);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(
            $"A request message has {oneMessage.CalculateSize()} bytes, over the server's limit of 4194304 bytes per message, so it was not read. " +
            "Send files in chunks of at most 1048576 bytes (Upload:MaxChunkBytes); 64 KiB works well.",
            error.Status.Detail);
        Assert.DoesNotContain(list.Datasets, d => d.Spec.Name == "one-message");
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Fact]
    public async Task GetDataset_UnknownName_IsNotFound()
    {
        var request = new GetDatasetRequest { Dataset = "no-such-dataset" };

        var error = await RpcAssert.FailsAsync(() => server.Datasets.GetDatasetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    /// <summary>
    /// A CSV file of 60 rows with columns age, city, sex and y, damaged as <paramref name="kind"/> names; every
    /// other row is valid, so the damage is the only fault.
    /// </summary>
    private static byte[] BadFile(string kind)
    {
        if (kind == "empty file")
            return [];
        if (kind == "invalid UTF-8")
            return [.. "age,city,sex,y\n25,Paris,Male,1\n"u8, 0x4D, 0xFC, 0x6E, .. ",Oslo,Female,0\n"u8];

        string[] header = kind switch
        {
            "no sensitive column" => ["age", "city", "gender", "y"],
            "identifier column" => ["age", "customer", "sex", "y"],
            _ => ["age", "city", "sex", "y"],
        };
        string[] cities = ["Paris", "Oslo", "Rome"];
        var rows = new List<string[]>();
        for (int i = 0; i < 60; i++)
        {
            string age = $"{25 + i % 40}";
            string city = kind == "identifier column" ? $"c{i + 1:D3}" : cities[i % 3];
            string sex = kind switch
            {
                "one group" => "Male",
                "sensitive all missing" => "?",
                _ => i % 2 == 0 ? "Male" : "Female",
            };
            string label = kind switch
            {
                "three labels" => $"{i % 3}",
                "favourable absent" => i % 2 == 0 ? "yes" : "no",
                _ => $"{i / 2 % 2}",
            };
            rows.Add([age, city, sex, label]);
        }

        if (kind == "no complete row")
            rows.ForEach(row => row[1] = "?");
        if (kind == "text in numbers")
            rows[10][0] = "forty";
        if (kind == "ragged row")
            rows[3] = [.. rows[3], "extra"];
        if (kind == "long cell")
            rows[4][1] = new string('x', 5000);
        if (kind == "too many columns")
        {
            header = [.. header, .. Enumerable.Range(1, 2000).Select(i => $"extra{i}")];
            rows = rows.Select(row => (string[])[.. row, .. Enumerable.Repeat("0", 2000)]).ToList();
        }

        string separator = kind == "semicolons" ? ";" : ",";
        var lines = rows.Select(row => string.Join(separator, row));
        if (kind != "no header")
            lines = lines.Prepend(string.Join(separator, header));
        return System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
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
