using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class CounterfactualServiceTests(JobServerFixture server)
{
    private const string Requester = "engineer";

    // The engineer requests sets and the compliance user reviews them. The server records the callers.
    private CounterfactualService.CounterfactualServiceClient Counterfactuals => server.Counterfactuals;

    private CounterfactualService.CounterfactualServiceClient Reviewers => server.ComplianceCounterfactuals;

    [Fact]
    public async Task Generate_TrainingRows_StoresPendingSet()
    {
        var set = await GenerateAdultSetAsync(maxRows: 300);
        string artifact = Path.Combine(server.ArtifactDirectory, set.ArtifactSha256[..2], set.ArtifactSha256);

        Assert.Equal(CounterfactualSetStatus.Pending, set.Status);
        Assert.Equal(Requester, set.RequestedBy);
        Assert.Equal(server.Adult.Id, set.DatasetId);
        Assert.Equal("training rows", set.Source);
        Assert.Equal(300, set.RowCount);
        Assert.Equal(["sex", "relationship"], set.MappedColumns);
        Assert.True(set.ChangedCellCount >= set.RowCount, $"{set.ChangedCellCount} changed cells in {set.RowCount} rows");
        Assert.True(File.Exists(artifact));
        Assert.Empty(set.ReviewedBy);
        Assert.Null(set.ReviewedAt);
    }

    [Fact]
    public async Task Generate_SameSpecTwice_StoresSameArtifact()
    {
        var first = await GenerateAdultSetAsync(maxRows: 50);
        var second = await GenerateAdultSetAsync(maxRows: 50);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first.ArtifactSha256, second.ArtifactSha256);
    }

    [Fact]
    public async Task Generate_UploadedRows_MapsThoseRows()
    {
        string[] lines = File.ReadAllLines(Path.Combine(server.ImportDirectory, "adult.csv"));
        string csv = string.Join('\n', lines.Take(41)) + "\n";
        var request = AdultRequest(maxRows: 1000);
        request.ExternalRowsCsv = ByteString.CopyFrom(csv, Encoding.UTF8);

        var set = await Counterfactuals.GenerateCounterfactualSetAsync(request);

        Assert.Equal("uploaded rows", set.Source);
        Assert.InRange(set.RowCount, 1, 40);
        Assert.True(set.Spec.ExternalRowsCsv.IsEmpty);
    }

    /// <summary>Requests an Adult set from uploaded rows <paramref name="csv"/> and returns the call's error.</summary>
    private Task<RpcException> GenerateFromUploadedRowsAsync(string csv)
    {
        var request = AdultRequest(maxRows: 1000);
        request.ExternalRowsCsv = ByteString.CopyFrom(csv, Encoding.UTF8);
        return RpcAssert.FailsAsync(() => Counterfactuals.GenerateCounterfactualSetAsync(request).ResponseAsync);
    }

    [Fact]
    public async Task Generate_UploadedRowsWithoutLabel_NamesColumn()
    {
        string[] lines = File.ReadAllLines(Path.Combine(server.ImportDirectory, "adult.csv"));
        int label = Array.IndexOf(lines[0].Split(','), "income");
        string csv = string.Join('\n', lines.Take(11).Select(line => string.Join(',', line.Split(',').Where((_, i) => i != label)))) + "\n";

        var error = await GenerateFromUploadedRowsAsync(csv);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["external_rows_csv"], RpcAssert.ViolatedFields(error));
        Assert.Equal("external_rows_csv lacks income. It needs the same columns as adult train file.", error.Status.Detail);
    }

    [Theory]
    [InlineData("header only")]
    [InlineData("upper-case header")]
    [InlineData("third label value")]
    [InlineData("text in age")]
    public async Task Generate_BadUploadedRows_NameTheField(string invalidCase)
    {
        string[] lines = File.ReadAllLines(Path.Combine(server.ImportDirectory, "adult.csv"));
        string csv = invalidCase switch
        {
            "header only" => lines[0] + "\n",
            "upper-case header" => string.Join('\n', [lines[0].ToUpperInvariant(), .. lines.Skip(1).Take(10)]) + "\n",
            "third label value" => string.Join('\n', [lines[0], .. lines.Skip(1).Take(10), string.Join(',', lines[1].Split(',')[..^1]) + ",maybe"]) + "\n",
            _ => string.Join('\n', [lines[0], "abc" + lines[1][lines[1].IndexOf(',')..]]) + "\n",
        };

        var error = await GenerateFromUploadedRowsAsync(csv);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["external_rows_csv"], RpcAssert.ViolatedFields(error));
        Assert.Contains("external_rows_csv", error.Status.Detail);
        Assert.DoesNotContain("Choose a binary label column", error.Status.Detail);
    }

    [Fact]
    public async Task Generate_OversizedUnaryRequest_NamesSize()
    {
        // Case C15 (a) for a unary call: uploaded rows of 5,000,000 bytes, over gRPC's default 4 MiB per message.
        var request = AdultRequest(maxRows: 1000);
        request.ExternalRowsCsv = ByteString.CopyFrom(new byte[5_000_000]);
        int setsBefore = (await Counterfactuals.ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest { Dataset = "adult" })).Sets.Count;
        int artifactsBefore = server.CountArtifacts();

        var error = await RpcAssert.FailsAsync(() => Counterfactuals.GenerateCounterfactualSetAsync(request).ResponseAsync);
        int setsAfter = (await Counterfactuals.ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest { Dataset = "adult" })).Sets.Count;

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(
            $"A request message has {request.CalculateSize()} bytes, over the server's limit of 4194304 bytes per message, so it was not read. " +
            "Send files in chunks of at most 1048576 bytes (Upload:MaxChunkBytes); 64 KiB works well.",
            error.Status.Detail);
        Assert.Equal(setsBefore, setsAfter);
        Assert.Equal(artifactsBefore, server.CountArtifacts());
    }

    [Theory]
    [InlineData("requester not the caller", "requested_by")]
    [InlineData("no sensitive map", "sensitive_value_map")]
    [InlineData("max_rows 0", "max_rows")]
    [InlineData("proxy without column", "proxy_maps[1].column")]
    public async Task Generate_InvalidRequest_NamesField(string invalidCase, string expectedField)
    {
        var request = AdultRequest(maxRows: 10);
        switch (invalidCase)
        {
            case "requester not the caller": request.RequestedBy = "compliance"; break;
            case "no sensitive map": request.SensitiveValueMap.Clear(); break;
            case "max_rows 0": request.MaxRows = 0; break;
            case "proxy without column": request.ProxyMaps.Add(new ColumnValueMap { Values = { ["a"] = "b" } }); break;
        }

        var error = await RpcAssert.FailsAsync(() => Counterfactuals.GenerateCounterfactualSetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([expectedField], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task Generate_UnknownSensitiveLevel_IsInvalidArgument()
    {
        var request = AdultRequest(maxRows: 10);
        request.SensitiveValueMap["Robot"] = "Male";

        var error = await RpcAssert.FailsAsync(() => Counterfactuals.GenerateCounterfactualSetAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Robot", error.Status.Detail);
    }

    // Roles keep requesters (engineers) and reviewers (compliance officers) apart, so no RPC caller can review
    // their own set. The catalog still enforces the four-eyes rule by itself, and these tests call it directly.
    [Theory]
    [InlineData("engineer")]
    [InlineData("Engineer ")]
    [InlineData("ＥＮＧＩＮＥＥＲ")]
    [InlineData("ENGİNEER")]
    [InlineData("e\u0301ngineer")]
    public async Task CatalogReview_ByRequesterNameInAnyForm_IsFailedPrecondition(string reviewer)
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => ReviewThroughCatalogAsync(set.Id, reviewer));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["reviewer"], RpcAssert.ViolatedFields(error));
        Assert.Equal(CounterfactualSetStatus.Pending, (await GetAsync(set.Id)).Set.Status);
    }

    [Theory]
    [InlineData("engi\u200Bneer", "U+200B at position 4")]
    [InlineData("engi\u00ADneer", "U+00AD at position 4")]
    [InlineData("engi\u0007neer", "U+0007 at position 4")]
    public async Task CatalogReview_InvisibleCharacterInName_InvalidArgument(string reviewer, string named)
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => ReviewThroughCatalogAsync(set.Id, reviewer));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["reviewer"], RpcAssert.ViolatedFields(error));
        Assert.Contains(named, error.Status.Detail);
    }

    [Fact]
    public async Task Approve_NamingAnotherReviewer_IsInvalidArgument()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => Reviewers.ApproveCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Reviewer = "auditor" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["reviewer"], RpcAssert.ViolatedFields(error));
        Assert.Equal(CounterfactualSetStatus.Pending, (await GetAsync(set.Id)).Set.Status);
    }

    [Fact]
    public async Task Approve_ByAnotherReviewer_Approves()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var approved = await Reviewers.ApproveCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Comment = "Maps look right." });
        var again = await RpcAssert.FailsAsync(() => Reviewers.RejectCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Comment = "Too late." }).ResponseAsync);

        Assert.Equal(CounterfactualSetStatus.Approved, approved.Status);
        Assert.Equal("compliance", approved.ReviewedBy);
        Assert.Equal("Maps look right.", approved.ReviewComment);
        Assert.NotNull(approved.ReviewedAt);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("APPROVED", again.Status.Detail);
    }

    [Fact]
    public async Task Reject_WithComment_StoresComment()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var rejected = await Reviewers.RejectCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Reviewer = "compliance", Comment = "Map relationship too." });

        Assert.Equal(CounterfactualSetStatus.Rejected, rejected.Status);
        Assert.Equal("Map relationship too.", rejected.ReviewComment);
    }

    [Fact]
    public async Task Reject_WithoutComment_NamesComment()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => Reviewers.RejectCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["comment"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task Reject_LongComment_NamesComment()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => Reviewers.RejectCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Comment = new string('c', 2001) }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["comment"], RpcAssert.ViolatedFields(error));
        Assert.Equal(CounterfactualSetStatus.Pending, (await GetAsync(set.Id)).Set.Status);
    }

    [Fact]
    public async Task Get_Pages_CoverEveryPairOnce()
    {
        var set = await GenerateAdultSetAsync(maxRows: 45);
        int sexColumn = set.Columns.IndexOf("sex");
        var pairs = new List<CounterfactualRowPair>();
        int pages = 0;

        string token = "";
        do
        {
            var page = await Counterfactuals.GetCounterfactualSetAsync(
                new GetCounterfactualSetRequest { SetId = set.Id, PageSize = 10, PageToken = token });
            pairs.AddRange(page.Rows);
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(5, pages);
        Assert.Equal(45, pairs.Count);
        Assert.Equal(45, pairs.Select(p => p.RowId).Distinct().Count());
        Assert.All(pairs, p => Assert.Contains(sexColumn, p.ChangedColumns));
        Assert.All(pairs, p => Assert.Equal(set.Columns.Count, p.Original.Count));
        Assert.All(pairs, p => Assert.NotEqual(p.Original[sexColumn], p.Counterfactual[sexColumn]));
        Assert.Equal(set.ChangedCellCount, pairs.Sum(p => p.ChangedColumns.Count));
    }

    [Theory]
    [InlineData(1001, "", "page_size")]
    [InlineData(10, "x", "page_token")]
    public async Task Get_InvalidPage_NamesField(int pageSize, string pageToken, string expectedField)
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => Counterfactuals.GetCounterfactualSetAsync(
            new GetCounterfactualSetRequest { SetId = set.Id, PageSize = pageSize, PageToken = pageToken }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([expectedField], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task Get_UnknownSet_IsNotFound()
    {
        var error = await RpcAssert.FailsAsync(() => Counterfactuals.GetCounterfactualSetAsync(
            new GetCounterfactualSetRequest { SetId = "no-such-set" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task List_StatusFilter_ReturnsOnlyThatStatus()
    {
        var pending = await GenerateAdultSetAsync(maxRows: 20);
        var approved = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 20));

        var pendingSets = await Counterfactuals.ListCounterfactualSetsAsync(
            new ListCounterfactualSetsRequest { Dataset = "adult", Status = CounterfactualSetStatus.Pending });
        var approvedSets = await Counterfactuals.ListCounterfactualSetsAsync(
            new ListCounterfactualSetsRequest { Dataset = "adult", Status = CounterfactualSetStatus.Approved });
        var germanSets = await Counterfactuals.ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest { Dataset = "german-credit" });

        Assert.Contains(pending.Id, pendingSets.Sets.Select(s => s.Id));
        Assert.All(pendingSets.Sets, s => Assert.Equal(CounterfactualSetStatus.Pending, s.Status));
        Assert.Contains(approved.Id, approvedSets.Sets.Select(s => s.Id));
        Assert.All(approvedSets.Sets, s => Assert.Equal(CounterfactualSetStatus.Approved, s.Status));
        Assert.Empty(germanSets.Sets);
    }

    [Fact]
    public async Task SubmitDebias_PendingSet_FailsNamingSet()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);

        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = "adult", CounterfactualSetId = set.Id }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["counterfactual_set_id"], RpcAssert.ViolatedFields(error));
        Assert.Contains(set.Id, error.Status.Detail);
        Assert.Contains("PENDING", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_SetWithMethodThatUsesNone_IsInvalidArgument()
    {
        var set = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 20));

        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = "adult", Method = DebiasMethod.InfluenceNewton, CounterfactualSetId = set.Id }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["counterfactual_set_id"], RpcAssert.ViolatedFields(error));
        Assert.Contains($"uses no counterfactual set, so set {set.Id} would be ignored", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_RejectedSet_FailsNamingStatus()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);
        await Reviewers.RejectCounterfactualSetAsync(
            new ReviewCounterfactualSetRequest { SetId = set.Id, Comment = "Wrong maps." });

        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = "adult", CounterfactualSetId = set.Id }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains(set.Id, error.Status.Detail);
        Assert.Contains("REJECTED", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_SetApprovedInDatabaseOnly_IsFailedPrecondition()
    {
        var set = await GenerateAdultSetAsync(maxRows: 20);
        await UpdateSetAsync(set.Id, row => row
            .SetProperty(s => s.Status, (int)CounterfactualSetStatus.Approved)
            .SetProperty(s => s.ReviewedBy, "compliance"));
        try
        {
            var named = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
                new DebiasRequest { Dataset = "adult", CounterfactualSetId = set.Id }).ResponseAsync);
            var latest = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
                new DebiasRequest { Dataset = "adult", Method = DebiasMethod.CounterfactualReplacement }).ResponseAsync);

            Assert.Equal(StatusCode.FailedPrecondition, named.StatusCode);
            Assert.Equal(["counterfactual_set_id"], RpcAssert.ViolatedFields(named));
            Assert.Contains("audit trail records no approval", named.Status.Detail);
            Assert.Equal(StatusCode.FailedPrecondition, latest.StatusCode);
            Assert.Contains(set.Id, latest.Status.Detail);
        }
        finally
        {
            await UpdateSetAsync(set.Id, row => row
                .SetProperty(s => s.Status, (int)CounterfactualSetStatus.Pending)
                .SetProperty(s => s.ReviewedBy, (string?)null));
        }
    }

    [Fact]
    public async Task SubmitDebias_ApprovedSetWithSwappedRows_IsFailedPrecondition()
    {
        var set = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 20));
        var other = await GenerateAdultSetAsync(maxRows: 30);
        await UpdateSetAsync(set.Id, row => row.SetProperty(s => s.ArtifactSha256, other.ArtifactSha256));
        try
        {
            var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
                new DebiasRequest { Dataset = "adult", CounterfactualSetId = set.Id }).ResponseAsync);

            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Contains(other.ArtifactSha256, error.Status.Detail);
        }
        finally
        {
            await UpdateSetAsync(set.Id, row => row.SetProperty(s => s.ArtifactSha256, set.ArtifactSha256));
        }
    }

    [Fact]
    public async Task SubmitDebias_ApprovedSet_Succeeds()
    {
        var set = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 200));

        var job = await server.Jobs.SubmitDebiasAsync(new DebiasRequest { Dataset = "adult", CounterfactualSetId = set.Id });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(set.Id, finished.DebiasRequest.CounterfactualSetId);
        Assert.Equal(set.Id, finished.Result.Debias.CounterfactualSetId);
        Assert.NotNull(finished.Result.Debias.Evidence.LevellingDown);
        Assert.NotNull(finished.Result.Debias.Evidence.GroupThresholds);
        Assert.NotEmpty(finished.Result.Debias.Evidence.MembershipInference.Models);
        Assert.DoesNotContain(finished.Result.Debias.Warnings, warning => warning.Contains("nobody reviewed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitDebias_DataFreeWithApprovedSet_Succeeds()
    {
        var set = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 200));

        var job = await server.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "adult",
            Method = DebiasMethod.DataFree,
            CounterfactualSetId = set.Id,
            Steps = 20,
        });
        var finished = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        Assert.Equal(JobState.Succeeded, finished.State);
        Assert.Equal(DebiasMethod.DataFree, finished.DebiasRequest.Method);
        Assert.Equal(set.Id, finished.Result.Debias.CounterfactualSetId);
    }

    [Theory]
    [InlineData("remove_fraction")]
    [InlineData("damping")]
    [InlineData("solver")]
    [InlineData("objective")]
    [InlineData("compare_retrain")]
    public async Task SubmitDebias_DataFreeWithRankingField_IsInvalidArgument(string field)
    {
        var set = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 20));
        var request = new DebiasRequest { Dataset = "adult", Method = DebiasMethod.DataFree, CounterfactualSetId = set.Id };
        switch (field)
        {
            case "remove_fraction": request.RemoveFraction = 0.3; break;
            case "damping": request.Damping = 0.5; break;
            case "objective": request.Objective = BiasObjective.EqualizedOdds; break;
            case "compare_retrain": request.CompareRetrain = true; break;
            default: request.Solver = InfluenceSolver.Lissa; break;
        }

        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
        Assert.StartsWith($"Method data-free ignores {field} (", error.Status.Detail);
        if (field == "solver")
            Assert.StartsWith("Method data-free ignores solver (INFLUENCE_SOLVER_LISSA); only influence-newton, ", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_DataFreeWithoutApprovedSet_IsFailedPrecondition()
    {
        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = "german-credit", Method = DebiasMethod.DataFree }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("counterfactual_set_id", RpcAssert.ViolatedFields(error));
        Assert.StartsWith(
            "Method data-free needs an approved counterfactual set, and dataset german-credit has none; "
            + "generate one ('unlearn counterfactuals generate' or GenerateCounterfactualSet)",
            error.Status.Detail);
    }

    [Fact]
    public async Task SubmitDebias_BadFieldAndNoSet_NamesField()
    {
        // The request's own mistake comes before the missing set: approving a set would not make the request valid.
        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = "german-credit", Method = DebiasMethod.DataFree, RemoveFraction = 0.1 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["remove_fraction"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task Generate_DerivedSensitiveColumn_MapsItsSourceToo()
    {
        // German Credit derives sex from personal_status_sex, so a set that swaps sex alone would pair female rows
        // with male marital-status codes.
        await server.Datasets.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = DatasetSpecs.GermanCreditBySex("german-by-sex"),
            TrainPath = "german-credit.csv",
        });
        var request = new GenerateCounterfactualSetRequest
        {
            Dataset = "german-by-sex",
            SensitiveValueMap = { ["male"] = "female", ["female"] = "male" },
            MaxRows = 20,
        };

        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(request);

        var source = Assert.Single(set.Spec.ProxyMaps);
        Assert.Equal("personal_status_sex", source.Column);
        Assert.Equal("A93", source.Values["A92"]);
        Assert.Equal("A92", source.Values["A93"]);
    }

    [Fact]
    public async Task SubmitDebias_SetOfAnotherDataset_NamesSetField()
    {
        var set = await ApproveAsync(await GenerateAdultSetAsync(maxRows: 20));

        var error = await RpcAssert.FailsAsync(() => server.Jobs.SubmitDebiasAsync(
            new DebiasRequest { Dataset = "german-credit", CounterfactualSetId = set.Id }).ResponseAsync);

        Assert.Contains("counterfactual_set_id", RpcAssert.ViolatedFields(error));
    }

    private static GenerateCounterfactualSetRequest AdultRequest(int maxRows) => new()
    {
        Dataset = "adult",
        SensitiveValueMap = { ["Male"] = "Female", ["Female"] = "Male" },
        ProxyMaps = { new ColumnValueMap { Column = "relationship", Values = { ["Husband"] = "Wife", ["Wife"] = "Husband" } } },
        MaxRows = maxRows,
        Seed = 7,
        RequestedBy = Requester,
    };

    private async Task<CounterfactualSet> GenerateAdultSetAsync(int maxRows) =>
        await Counterfactuals.GenerateCounterfactualSetAsync(AdultRequest(maxRows));

    private async Task<CounterfactualSet> ApproveAsync(CounterfactualSet set) =>
        await Reviewers.ApproveCounterfactualSetAsync(new ReviewCounterfactualSetRequest { SetId = set.Id });

    /// <summary>Changes a set's row in the database directly, as someone bypassing the server would.</summary>
    private async Task UpdateSetAsync(
        string setId,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<CounterfactualSetRow>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<CounterfactualSetRow>> change)
    {
        await using var db = await server.Services.GetRequiredService<IDbContextFactory<ComputeDbContext>>().CreateDbContextAsync();
        await db.CounterfactualSets.Where(s => s.Id == setId).ExecuteUpdateAsync(row => change(row));
    }

    /// <summary>Approves through the server's catalog as the compliance user, naming <paramref name="reviewer"/>.</summary>
    private Task ReviewThroughCatalogAsync(string setId, string reviewer) =>
        server.Services.GetRequiredService<CounterfactualCatalog>().ReviewAsync(
            "compliance", setId, reviewer, "", CounterfactualSetStatus.Approved, CancellationToken.None);

    private async Task<GetCounterfactualSetResponse> GetAsync(string setId) =>
        await Counterfactuals.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = setId });
}

public sealed class CounterfactualServiceSqliteTests(JobServerFixture server) : CounterfactualServiceTests(server), IClassFixture<JobServerFixture>;

public sealed class CounterfactualServicePostgresTests(PostgresJobServerFixture server) : CounterfactualServiceTests(server), IClassFixture<PostgresJobServerFixture>;
