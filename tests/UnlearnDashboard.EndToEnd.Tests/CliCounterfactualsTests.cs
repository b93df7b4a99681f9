using Google.Protobuf;
using UnlearnDashboard.Cli;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// <c>unlearn counterfactuals</c> against a real Compute process of its own, with the demo datasets. It is not the shared
/// process, because an approved set becomes the dataset's default set for the debias requests of other test classes.
/// </summary>
public sealed class CliCounterfactualsTests(CliCounterfactualsTests.SeededCompute compute) : IClassFixture<CliCounterfactualsTests.SeededCompute>
{
    private const string RelationshipMap = "relationship:Husband=Wife,Wife=Husband";

    private ComputeProcess Server => compute.Server;

    [Fact]
    public async Task GenerateApproveShow_FollowsReviewRules()
    {
        string generatedJson = Path.Combine(Server.DataDirectory, "generated.json");
        string shownJson = Path.Combine(Server.DataDirectory, "shown.json");

        var generated = await RunAsync("engineer", "counterfactuals", "generate", "--dataset", "adult", "--map", RelationshipMap,
            "--max-rows", "300", "--json", generatedJson);
        var set = JsonParser.Default.Parse<CounterfactualSet>(await File.ReadAllTextAsync(generatedJson));
        var listed = await RunAsync("engineer", "counterfactuals", "list", "--dataset", "adult", "--status", "pending");
        var listedJson = await RunAsync("engineer", "counterfactuals", "list", "--dataset", "adult", "--status", "pending", "--json", "-");
        var byRequester = await RunAsync("engineer", "counterfactuals", "approve", set.Id);
        var afterDenial = await GetSetAsync(set.Id);
        var approved = await RunAsync("compliance", "counterfactuals", "approve", set.Id, "--comment", "maps checked");
        var approvedAgain = await RunAsync("compliance", "counterfactuals", "approve", set.Id);
        var shown = await RunAsync("viewer", "counterfactuals", "show", set.Id, "--rows", "40", "--json", shownJson);
        var pairs = JsonParser.Default.Parse<GetCounterfactualSetResponse>(await File.ReadAllTextAsync(shownJson));

        Assert.True(generated.ExitCode == 0, generated.Error);
        Assert.Equal(CounterfactualSetStatus.Pending, set.Status);
        Assert.Equal(300, set.RowCount);
        Assert.Equal("engineer", set.RequestedBy);
        Assert.Equal(["sex", "relationship"], set.MappedColumns);
        Assert.Contains($"set:              {set.Id}", generated.Output);
        Assert.Contains("status:           pending", generated.Output);
        Assert.Contains("row pairs:        300, ", generated.Output);
        Assert.Contains("maps:             sex: Female=Male, Male=Female", generated.Output);
        Assert.Contains("                  relationship: Husband=Wife, Wife=Husband", generated.Output);
        Assert.Contains($"Next: a compliance officer other than engineer reviews it with 'unlearn counterfactuals approve {set.Id}'", generated.Output);

        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith(set.Id, StringComparison.Ordinal) && line.Contains(" adult ") && line.Contains(" pending ")
            && line.Contains(" sex,relationship ") && line.Contains(" engineer "));
        Assert.Contains(JsonParser.Default.Parse<ListCounterfactualSetsResponse>(listedJson.Output).Sets, s => s.Id == set.Id);

        // The server checks the role before the four-eyes rule, and an engineer may not review at all.
        Assert.Equal(ExitCodes.Failure, byRequester.ExitCode);
        Assert.StartsWith("error: PERMISSION_DENIED: ", byRequester.Error);
        Assert.Contains("role compliance", byRequester.Error);
        Assert.Contains("user 'engineer' has the role engineer", byRequester.Error);
        Assert.Contains("'unlearn whoami' shows the role", byRequester.Error);
        Assert.Equal(CounterfactualSetStatus.Pending, afterDenial.Set.Status);

        Assert.True(approved.ExitCode == 0, approved.Error);
        Assert.Contains($"Counterfactual set {set.Id} is approved.", approved.Output);
        Assert.Contains("reviewed by:  compliance at ", approved.Output);
        Assert.Contains("comment:      maps checked", approved.Output);
        Assert.Equal(ExitCodes.UsageError, approvedAgain.ExitCode);
        Assert.Contains("FAILED_PRECONDITION", approvedAgain.Error);
        Assert.Contains("not PENDING", approvedAgain.Error);

        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Equal(CounterfactualSetStatus.Approved, pairs.Set.Status);
        Assert.Equal(40, pairs.Rows.Count);
        Assert.NotEmpty(pairs.NextPageToken);
        Assert.Contains("status:           approved", shown.Output);
        Assert.Contains("Showing 40 of 300 row pairs", shown.Output);
        int sex = pairs.Set.Columns.IndexOf("sex");
        int relationship = pairs.Set.Columns.IndexOf("relationship");
        foreach (var pair in pairs.Rows)
        {
            int[] differing = Enumerable.Range(0, pair.Original.Count).Where(i => pair.Original[i] != pair.Counterfactual[i]).ToArray();
            Assert.Equal(differing, pair.ChangedColumns);
            Assert.Contains(sex, differing);
            Assert.All(differing, column => Assert.True(column == sex || column == relationship, $"row {pair.RowId} changed {pairs.Set.Columns[column]}"));
            Assert.Contains(shown.Output.Split('\n'), line => line.TrimStart().StartsWith($"{pair.RowId} ", StringComparison.Ordinal)
                && line.Contains($"sex: {pair.Original[sex]} -> {pair.Counterfactual[sex]}"));
        }

        Assert.Contains(pairs.Rows, pair => pair.ChangedColumns.Contains(relationship));
        Assert.Contains("relationship: Husband -> Wife", shown.Output);
    }

    [Fact]
    public async Task Show_MoreRowsThanOnePage_ReadsEveryPage()
    {
        var generated = await RunAsync("engineer", "counterfactuals", "generate", "--dataset", "adult", "--map", RelationshipMap,
            "--max-rows", "1200", "--json", "-");
        var set = JsonParser.Default.Parse<CounterfactualSet>(generated.Output);

        var shown = await RunAsync("engineer", "counterfactuals", "show", set.Id, "--rows", "1100", "--json", "-");

        Assert.True(shown.ExitCode == 0, shown.Error);
        var pairs = JsonParser.Default.Parse<GetCounterfactualSetResponse>(shown.Output);
        using var channel = Server.CreateChannel();
        var client = new CounterfactualService.CounterfactualServiceClient(channel);
        var first = await client.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = set.Id, PageSize = 1000 });
        var second = await client.GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = set.Id, PageSize = 100, PageToken = first.NextPageToken });
        Assert.Equal(1100, pairs.Rows.Count);
        Assert.Equal(first.Rows.Concat(second.Rows), pairs.Rows);
        Assert.Equal(second.NextPageToken, pairs.NextPageToken);
    }

    [Fact]
    public async Task Reject_NeedsComment_AndRecordsIt()
    {
        var generated = await RunAsync("engineer", "counterfactuals", "generate", "--dataset", "adult", "--map", RelationshipMap,
            "--max-rows", "50", "--json", "-");
        var set = JsonParser.Default.Parse<CounterfactualSet>(generated.Output);

        var withoutComment = await RunAsync("compliance", "counterfactuals", "reject", set.Id);
        var afterUsageError = await GetSetAsync(set.Id);
        var rejected = await RunAsync("compliance", "counterfactuals", "reject", set.Id, "--comment", "relationship map is incomplete");
        var listed = await RunAsync("viewer", "counterfactuals", "list", "--status", "rejected", "--json", "-");

        Assert.Equal(ExitCodes.UsageError, withoutComment.ExitCode);
        Assert.StartsWith("error: Option '--comment' is required.", withoutComment.Error);
        Assert.Equal(CounterfactualSetStatus.Pending, afterUsageError.Set.Status);
        Assert.True(rejected.ExitCode == 0, rejected.Error);
        Assert.Contains($"Counterfactual set {set.Id} is rejected.", rejected.Output);
        Assert.Contains("comment:      relationship map is incomplete", rejected.Output);
        var rejectedSet = Assert.Single(JsonParser.Default.Parse<ListCounterfactualSetsResponse>(listed.Output).Sets, s => s.Id == set.Id);
        Assert.Equal("compliance", rejectedSet.ReviewedBy);
        Assert.Equal("relationship map is incomplete", rejectedSet.ReviewComment);
    }

    [Fact]
    public async Task Generate_BadMap_SendsNothing()
    {
        var before = await ListAsync();

        var badSyntax = await RunAsync("engineer", "counterfactuals", "generate", "--dataset", "adult", "--map", "relationship:Husband");
        var unknownLevel = await RunAsync("engineer", "counterfactuals", "generate", "--dataset", "adult", "--map", "relationship:Husband=Spouse");
        var after = await ListAsync();

        Assert.Equal(ExitCodes.UsageError, badSyntax.ExitCode);
        Assert.StartsWith("error: Invalid value 'relationship:Husband' for option '--map': 'Husband' is not a FROM=TO pair", badSyntax.Error);
        Assert.Equal(ExitCodes.UsageError, unknownLevel.ExitCode);
        Assert.StartsWith("error: INVALID_ARGUMENT: ", unknownLevel.Error);
        Assert.Contains("'Spouse'", unknownLevel.Error);
        Assert.Equal(before.Sets.Count, after.Sets.Count);
    }

    [Fact]
    public async Task Generate_SourceFile_MapsUploadedRows()
    {
        string adult = Path.Combine(Path.GetDirectoryName(ComputeProcess.ComputeAssembly)!, "Datasets", "adult.csv");
        string rows = Path.Combine(Server.DataDirectory, "rows.csv");
        await File.WriteAllLinesAsync(rows, File.ReadLines(adult).Take(11));

        var generated = await RunAsync("engineer", "counterfactuals", "generate", "--dataset", "adult", "--source-file", rows, "--json", "-");

        Assert.True(generated.ExitCode == 0, generated.Error);
        var set = JsonParser.Default.Parse<CounterfactualSet>(generated.Output);
        Assert.Equal("uploaded rows", set.Source);
        Assert.Equal(10, set.RowCount);
        Assert.Equal(["sex"], set.MappedColumns);
        Assert.Equal("Female", set.Spec.SensitiveValueMap["Male"]);
    }

    private async Task<GetCounterfactualSetResponse> GetSetAsync(string setId)
    {
        using var channel = Server.CreateChannel();
        return await new CounterfactualService.CounterfactualServiceClient(channel)
            .GetCounterfactualSetAsync(new GetCounterfactualSetRequest { SetId = setId, PageSize = 1 });
    }

    private async Task<ListCounterfactualSetsResponse> ListAsync()
    {
        using var channel = Server.CreateChannel();
        return await new CounterfactualService.CounterfactualServiceClient(channel).ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest());
    }

    /// <summary>Runs the CLI against the server with the key of <paramref name="role"/> from its credentials.json.</summary>
    private Task<(int ExitCode, string Output, string Error)> RunAsync(string role, params string[] args) =>
        CliRun.RunWithKeyAsync(Server.ApiKey(role), [.. args, "--server", Server.Url]);

    /// <summary>
    /// A Compute process with demo seeding, ready once the demo counterfactual sets are approved. The demo models may
    /// still be training, which these tests do not need.
    /// </summary>
    public sealed class SeededCompute : IAsyncLifetime
    {
        private ComputeProcess? _server;

        public ComputeProcess Server => _server ?? throw new InvalidOperationException("Compute is not started.");

        public async Task InitializeAsync()
        {
            _server = await ComputeProcess.StartAsync();
            using var channel = _server.CreateChannel();
            var client = new CounterfactualService.CounterfactualServiceClient(channel);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                var approved = await client.ListCounterfactualSetsAsync(new ListCounterfactualSetsRequest { Status = CounterfactualSetStatus.Approved });
                if (approved.Sets.Count >= 2)
                    return;
                await Task.Delay(200);
            }

            throw new TimeoutException($"The demo counterfactual sets were not approved within 2 minutes:\n{_server.Log}");
        }

        public async Task DisposeAsync()
        {
            if (_server is not null)
                await _server.DisposeAsync();
        }
    }
}
