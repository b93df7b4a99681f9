using System.Text.Json.Nodes;
using UnlearnDashboard.Cli;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn audit</c> against a real Compute process without demo data.</summary>
public sealed class CliAuditTests : IAsyncLifetime
{
    private ComputeProcess? _server;

    private ComputeProcess Server => _server ?? throw new InvalidOperationException("Compute is not started.");

    public async Task InitializeAsync() => _server = await ComputeProcess.StartAsync("--SeedDemo", "false");

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task AuditList_AfterRegistration_ShowsTheEntry()
    {
        var dataset = await RegisterGermanAsync();

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(Server.ApiKey(), "audit", "list", "--server", Server.Url, "--action", "dataset.register");

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.Contains("dataset.register", output);
        Assert.Contains($"dataset/{dataset.Id}", output);
        Assert.Contains(dataset.TrainSha256, output);
    }

    [Fact]
    public async Task AuditVerify_IntactChain_ExitsZero()
    {
        await RegisterGermanAsync();

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(Server.ApiKey(), "audit", "verify", "--server", Server.Url);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.Contains("intact", output);
    }

    [Fact]
    public async Task AuditVerify_HeadRecordsMoreEntries_ExitsOneNamingEntry()
    {
        await RegisterGermanAsync();
        string headPath = Path.Combine(Server.DataDirectory, "audit-head.json");
        var head = JsonNode.Parse(await File.ReadAllTextAsync(headPath))!;

        // As if the two entries after the last one had been deleted from the table after the head file recorded them.
        long count = head["count"]!.GetValue<long>();
        head["count"] = count + 2;
        await File.WriteAllTextAsync(headPath, head.ToJsonString());
        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(Server.ApiKey(), "audit", "verify", "--server", Server.Url);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("BROKEN", output);
        Assert.Contains($"broken at entry {count + 1}", error);
    }

    [Fact]
    public async Task AuditList_BadSince_IsUsageError()
    {
        var (exitCode, _, error) = await CliRun.RunWithKeyAsync(Server.ApiKey(), "audit", "list", "--server", Server.Url, "--since", "yesterday");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("--since 'yesterday'", error);
    }

    private async Task<Dataset> RegisterGermanAsync()
    {
        string import = Path.Combine(Server.DataDirectory, "import");
        File.Copy(Path.Combine(Path.GetDirectoryName(ComputeProcess.ComputeAssembly)!, "Datasets", "german-credit.csv"), Path.Combine(import, "german-credit.csv"), overwrite: true);
        using var channel = Server.CreateChannel();
        return await new DatasetService.DatasetServiceClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = "german",
                LabelColumn = "credit_risk",
                FavourableLabel = "1",
                SensitiveColumn = "foreign_worker",
                ValidationFraction = 0.2,
                TestFraction = 0.2,
            },
            TrainPath = "german-credit.csv",
        });
    }

}
