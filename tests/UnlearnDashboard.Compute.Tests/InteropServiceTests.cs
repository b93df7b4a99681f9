using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using DatasetProfiles = UnlearnDashboard.Engine.Data.DatasetProfiles;
using UnlearnDashboard.Engine.Interop;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>A compute server with Adult registered once, because every import test needs the dataset.</summary>
public class InteropServerFixture : ComputeServerFixture
{
    public const string DatasetName = "adult-interop";

    public InteropService.InteropServiceClient Interop => new(Channel);

    public string SpecJson { get; } = File.ReadAllText(FixturePath("adult_mlp.spec.json"));

    public static string FixturePath(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.Adult(DatasetName),
            TrainPath = "adult.csv",
            TestPath = "adult-test.csv",
        });
    }
}

public abstract class InteropServiceTests(InteropServerFixture server)
{
    private const int ChunkBytes = 64 * 1024;

    [Fact]
    public async Task ImportModel_StateDictChunks_CreatesVersion()
    {
        var response = await ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp.pt")), "adult_mlp.pt", "torch-mlp");

        Assert.Equal("pytorch-state-dict", response.SourceFormat);
        Assert.Equal("torch-mlp", response.Model.Name);
        Assert.Equal(["fc1", "fc2", "fc3"], response.Version.Layers.Select(l => l.Name));
        Assert.Equal(104 * 64 + 64, response.Version.Layers[0].ParameterCount);
        Assert.Equal("", response.Version.ParentVersionId);
        Assert.InRange(response.Version.TestReport.Accuracy, 0.8, 0.9);
        var evaluated = await server.Models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = response.Version.Id });
        Assert.Equal(response.Version.TestReport.Accuracy, evaluated.Accuracy);
        Assert.Equal(evaluated.Intervals, response.Version.TestReport.Intervals);
        Assert.True(response.Version.TestReport.Intervals.Metrics.Single(m => m.Metric == "disparate_impact_ratio").HasLower);
        var audit = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "model.import", Subject = $"version/{response.Version.Id}" });
        Assert.Single(audit.Entries);
    }

    [Fact]
    public async Task ImportModel_ImportPathSafetensors_MatchesStateDict()
    {
        File.Copy(InteropServerFixture.FixturePath("adult_mlp.safetensors"), Path.Combine(server.ImportDirectory, "adult_mlp.safetensors"), overwrite: true);
        using var call = server.Interop.ImportModel();
        await call.RequestStream.WriteAsync(new ImportModelChunk
        {
            Header = new ImportModelHeader { Dataset = InteropServerFixture.DatasetName, SpecJson = server.SpecJson, ImportPath = "adult_mlp.safetensors" },
        });
        await call.RequestStream.CompleteAsync();
        var fromPath = await call.ResponseAsync;

        var fromStateDict = await ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp.pt")), "adult_mlp.pt");

        Assert.Equal("safetensors", fromPath.SourceFormat);
        Assert.Equal($"{InteropServerFixture.DatasetName}-imported", fromPath.Model.Name);
        Assert.Equal(fromStateDict.Version.TestReport, fromPath.Version.TestReport);
    }

    [Fact]
    public async Task ImportModel_WholePickledModel_StoresNothing()
    {
        var before = await server.Models.ListModelsAsync(new ListModelsRequest());

        var error = await RpcAssert.FailsAsync(() => ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp_whole.pt")), "adult_mlp_whole.pt"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["data"], RpcAssert.ViolatedFields(error));
        Assert.Contains("adult_mlp_whole.pt contains a whole pickled model", error.Status.Detail);
        var after = await server.Models.ListModelsAsync(new ListModelsRequest());
        Assert.Equal(before.Models.Count, after.Models.Count);
    }

    [Theory]
    [InlineData("adult_mlp.pt", "half", "half-adult_mlp.pt is a damaged zip archive")]
    [InlineData("adult_mlp.safetensors", "half", "has data offsets outside the file's")]
    [InlineData("adult_mlp.pt", "empty", "The import carries no weights")]
    public async Task ImportModel_CutFile_StoresNothing(string file, string cut, string expected)
    {
        byte[] bytes = File.ReadAllBytes(InteropServerFixture.FixturePath(file));
        byte[] damaged = cut == "half" ? bytes[..(bytes.Length / 2)] : [];
        string name = $"{cut}-{file}";
        var modelsBefore = await server.Models.ListModelsAsync(new ListModelsRequest());
        int artifactsBefore = server.CountArtifacts();

        var error = await RpcAssert.FailsAsync(() => ImportAsync(damaged, name));
        var modelsAfter = await server.Models.ListModelsAsync(new ListModelsRequest());
        var health = await new Grpc.Health.V1.Health.HealthClient(server.Channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["data"], RpcAssert.ViolatedFields(error));
        Assert.Contains(expected, error.Status.Detail);
        Assert.Equal(modelsBefore.Models, modelsAfter.Models);
        Assert.Equal(artifactsBefore, server.CountArtifacts());
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task ImportModel_WrongShape_NamesFirstMismatch()
    {
        var error = await RpcAssert.FailsAsync(() => ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp_103.pt")), "adult_mlp_103.pt"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("fc1.weight [64,103] in the file, [64,104] expected", error.Status.Detail);
    }

    [Fact]
    public async Task ImportModel_BadSpec_NamesSpecField()
    {
        string spec = server.SpecJson.Replace("\"activation\": \"relu\"", "\"activation\": \"gelu\"");

        var error = await RpcAssert.FailsAsync(() => ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp.pt")), "adult_mlp.pt", spec: spec));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["header.spec_json"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task ImportModel_PathOutsideImportFolder_IsRejected()
    {
        using var call = server.Interop.ImportModel();
        await call.RequestStream.WriteAsync(new ImportModelChunk
        {
            Header = new ImportModelHeader { Dataset = InteropServerFixture.DatasetName, SpecJson = server.SpecJson, ImportPath = "../unlearn.db" },
        });
        await call.RequestStream.CompleteAsync();

        var error = await RpcAssert.FailsAsync(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["header.import_path"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task ImportModel_PathAndData_IsRejected()
    {
        using var call = server.Interop.ImportModel();
        var header = new ImportModelHeader { Dataset = InteropServerFixture.DatasetName, SpecJson = server.SpecJson, ImportPath = "adult_mlp.pt" };

        var error = await RpcAssert.FailsAsync(() => ClientStreams.SendAsync(call,
            new ImportModelChunk { Header = header },
            new ImportModelChunk { Data = ByteString.CopyFromUtf8("weights") }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["data"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task ExportModel_ImportedVersion_ReimportsWithSameReport()
    {
        var imported = await ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp.pt")), "adult_mlp.pt");

        var (header, bytes) = await ExportAsync(imported.Version.Id);
        var reimported = await ImportAsync(bytes, header.FileName, spec: header.SpecJson);

        Assert.Equal(header.SizeBytes, bytes.Length);
        Assert.Equal(header.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.EndsWith(".safetensors", header.FileName);
        Assert.Contains("\"favourable_label\": \">50K\"", header.SpecJson);
        Assert.Equal("safetensors", reimported.SourceFormat);
        Assert.Equal(imported.Version.TestReport, reimported.Version.TestReport);
        var audit = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "export", Subject = $"version/{imported.Version.Id}" });
        Assert.Single(audit.Entries);
    }

    [Fact]
    public async Task ExportModel_OverFourMebibytes_StreamsInChunks()
    {
        // An MLP of 104 -> 1024 -> 1024 -> 1 has 1.16 million float32 weights, 4.6 MB: over gRPC's 4 MiB default.
        var data = DatasetProfiles.Load(DatasetProfiles.Adult);
        var spec = InteropSpec.Parse(server.SpecJson) with { Hidden = [1024, 1024] };
        using var large = new TrainedModel(spec.ToModelSpec(data), TrainedModel.CreateNetwork(spec.ToModelSpec(data)));
        var export = ModelInterop.Export(large, data.Definition);
        Assert.True(export.Safetensors.Length > 4 * 1024 * 1024, $"{export.Safetensors.Length} bytes");

        var imported = await ImportAsync(export.Safetensors, "large.safetensors", spec: export.SpecJson);
        var (header, bytes) = await ExportAsync(imported.Version.Id);

        Assert.Equal(export.Safetensors.Length, bytes.Length);
        Assert.Equal(header.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task ExportModel_UnknownVersion_IsNotFound()
    {
        var error = await RpcAssert.FailsAsync(() => ExportAsync("no-such-version"));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task SubmitDebias_ImportedVersion_CreatesChild()
    {
        var imported = await ImportAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp.pt")), "adult_mlp.pt");
        var request = new DebiasRequest
        {
            Dataset = InteropServerFixture.DatasetName,
            ModelVersionId = imported.Version.Id,
            SensitiveAttribute = "sex",
            Method = DebiasMethod.InfluenceNewton,
        };

        var job = await server.Jobs.SubmitDebiasAsync(request);
        var ended = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        Assert.Equal(JobState.Succeeded, ended.State);
        var result = ended.Result.Debias;
        Assert.Equal(imported.Version.Id, result.BaseVersionId);
        Assert.Equal(imported.Version.TestReport.Accuracy, result.Before.Accuracy);
        Assert.True(result.After.DemographicParityDifference < result.Before.DemographicParityDifference,
            $"demographic parity difference {result.Before.DemographicParityDifference:F4} -> {result.After.DemographicParityDifference:F4}");
    }

    [Fact]
    public async Task PreviewDataset_NpmParquet_DescribesColumns()
    {
        var preview = await PreviewAsync(File.ReadAllBytes(InteropServerFixture.FixturePath("adult_2000.parquet")), "adult_2000.parquet");

        Assert.Equal("parquet", preview.Format);
        Assert.Equal(2000, preview.RowCount);
        Assert.Equal(15, preview.Columns.Count);
        var sex = preview.Columns.Single(c => c.Name == "sex");
        Assert.Contains("'sex'", sex.SensitiveReason);
        Assert.Equal("BYTE_ARRAY (UTF8)", sex.StorageType);
        var income = preview.Columns.Single(c => c.Name == "income");
        Assert.Equal(["<=50K", ">50K"], income.LabelValues.Select(v => v.Value));
        var age = preview.Columns.Single(c => c.Name == "age");
        Assert.Equal("numeric", age.Kind);
        Assert.True(age.HasMin, "age has no min");
        Assert.Equal(17, age.Min);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(0)]
    public async Task ImportModel_InvalidName_IsInvalidArgument(int length)
    {
        string name = length > 0 ? new string('m', length) : "my model";
        byte[] weights = File.ReadAllBytes(InteropServerFixture.FixturePath("adult_mlp.safetensors"));
        int modelsBefore = (await server.Models.ListModelsAsync(new ListModelsRequest())).Models.Count;

        var error = await RpcAssert.FailsAsync(() => ImportAsync(weights, "adult_mlp.safetensors", name));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["header.name"], RpcAssert.ViolatedFields(error));
        Assert.Equal(modelsBefore, (await server.Models.ListModelsAsync(new ListModelsRequest())).Models.Count);
    }

    [Fact]
    public async Task PreviewDataset_HugeValues_CutsThem()
    {
        // Ten distinct values of 1 MiB each: the top values alone would be 10 MiB, over gRPC's 4 MiB message limit.
        var csv = new StringBuilder("note,sex,y\n");
        for (int row = 0; row < 10; row++)
            csv.Append(new string((char)('a' + row), 1024 * 1024)).Append(row % 2 == 0 ? ",Male,1\n" : ",Female,0\n");

        var preview = await PreviewAsync(Encoding.UTF8.GetBytes(csv.ToString()), "huge.csv");

        var note = preview.Columns.Single(c => c.Name == "note");
        Assert.Equal(10, note.DistinctCount);
        Assert.All(note.TopValues, value => Assert.Equal(201, value.Value.Length));
        Assert.All(note.TopValues, value => Assert.EndsWith("…", value.Value));
    }

    [Fact]
    public async Task PreviewDataset_1500Columns_Lists1000()
    {
        var names = Enumerable.Range(1, 1500).Select(i => $"c{i}");
        string csv = string.Join(",", names) + "\n" + string.Join(",", names.Select((_, i) => i.ToString())) + "\n";

        var preview = await PreviewAsync(Encoding.UTF8.GetBytes(csv), "wide.csv");

        Assert.Equal(1000, preview.Columns.Count);
        Assert.Equal(500, preview.OmittedColumnCount);
        Assert.Equal("c1000", preview.Columns[^1].Name);
    }

    [Fact]
    public async Task PreviewDataset_Empty_NamesDataField()
    {
        var error = await RpcAssert.FailsAsync(() => PreviewAsync([], "empty.csv"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["data"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task UploadDataset_Parquet_EqualsCsvRegistration()
    {
        byte[] csv = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(Path.Combine(server.ImportDirectory, "adult.csv")).Take(2001)) + "\n");

        var fromCsv = await UploadAsync(DatasetSpecs.Adult("adult-2000-csv"), csv);
        var fromParquet = await UploadAsync(DatasetSpecs.Adult("adult-2000-parquet"), File.ReadAllBytes(InteropServerFixture.FixturePath("adult_2000.parquet")));

        Assert.Equal(fromCsv.TrainRows, fromParquet.TrainRows);
        Assert.Equal(fromCsv.ValidationRows, fromParquet.ValidationRows);
        Assert.Equal(fromCsv.TestRows, fromParquet.TestRows);
        Assert.Equal(fromCsv.DroppedRows, fromParquet.DroppedRows);
        Assert.Equal(fromCsv.FeatureCount, fromParquet.FeatureCount);
        Assert.Equal(fromCsv.Groups, fromParquet.Groups);
    }

    private async Task<ImportModelResponse> ImportAsync(byte[] weights, string fileName, string? name = null, string? spec = null)
    {
        using var call = server.Interop.ImportModel();
        var header = new ImportModelHeader
        {
            Dataset = InteropServerFixture.DatasetName,
            Name = name ?? "",
            SpecJson = spec ?? server.SpecJson,
            FileName = fileName,
        };
        return await ClientStreams.SendAsync(call,
            [new ImportModelChunk { Header = header }, .. Chunks(weights).Select(data => new ImportModelChunk { Data = data })]);
    }

    // An export needs the compliance role.
    private Task<(ExportModelHeader Header, byte[] Bytes)> ExportAsync(string versionId) =>
        ModelExports.DownloadAsync(server.ChannelAs("compliance"), versionId);

    private async Task<DatasetPreview> PreviewAsync(byte[] file, string fileName)
    {
        using var call = server.Datasets.PreviewDataset();
        return await ClientStreams.SendAsync(call,
            [new PreviewDatasetChunk { FileName = fileName }, .. Chunks(file).Select(data => new PreviewDatasetChunk { Data = data })]);
    }

    private async Task<Dataset> UploadAsync(DatasetSpec spec, byte[] train)
    {
        using var call = server.Datasets.UploadDataset();
        return await ClientStreams.SendAsync(call,
            [
                new UploadDatasetChunk { Spec = spec },
                .. Chunks(train).Select(data => new UploadDatasetChunk { Chunk = new FileChunk { Role = DatasetFileRole.Train, Data = data } }),
            ]);
    }

    /// <summary>Cuts <paramref name="bytes"/> into chunks of <see cref="ChunkBytes"/>.</summary>
    private static IEnumerable<ByteString> Chunks(byte[] bytes)
    {
        for (int offset = 0; offset < bytes.Length; offset += ChunkBytes)
            yield return ByteString.CopyFrom(bytes, offset, Math.Min(ChunkBytes, bytes.Length - offset));
    }
}

public sealed class PostgresInteropServerFixture : InteropServerFixture
{
    public override bool UsesPostgres => true;
}

public sealed class InteropServiceSqliteTests(InteropServerFixture server) : InteropServiceTests(server), IClassFixture<InteropServerFixture>;

public sealed class InteropServicePostgresTests(PostgresInteropServerFixture server) : InteropServiceTests(server), IClassFixture<PostgresInteropServerFixture>;
