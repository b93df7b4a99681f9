using Google.Protobuf;
using UnlearnDashboard.Cli;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// <c>unlearn erase</c> and <c>unlearn erasures</c> against a real Compute process of their own, because an erasure
/// purges rows from the dataset that other test classes read.
/// </summary>
public sealed class CliEraseTests : IAsyncLifetime
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
    public async Task Erase_ByKeyColumn_PrintsCertificate()
    {
        string versionId = await RegisterAndTrainGermanAsync();
        string json = Path.Combine(Server.DataDirectory, "certificate.json");

        var erased = await RunCliAsync("erase", "--server", Server.Url, "--version", versionId, "--key-column", "purpose", "--key-values", "A48",
            "--skip-retrain", "--reason", "cli test", "--json", json);
        var fromCli = JsonParser.Default.Parse<ErasureCertificate>(await File.ReadAllTextAsync(json));
        var shown = await RunCliAsync("erasures", "show", fromCli.Id, "--server", Server.Url);
        var listed = await RunCliAsync("erasures", "list", "--dataset", "german", "--server", Server.Url);
        var again = await RunCliAsync("erase", "--server", Server.Url, "--version", versionId, "--rows", "1,2");
        using var channel = Server.CreateChannel();
        var fromGrpc = await new ErasureService.ErasureServiceClient(channel).GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = fromCli.Id });

        // A committed erasure whose check failed exits with 1, so a script does not take it for success.
        int expectedExit = fromCli.Verification.Passed ? ExitCodes.Success : ExitCodes.Failure;
        Assert.True(erased.ExitCode == expectedExit, $"exit code {erased.ExitCode}\nstdout:\n{erased.Output}\nstderr:\n{erased.Error}");
        Assert.Equal(fromGrpc, fromCli);
        Assert.Equal(9, fromCli.Rows.Count);
        Assert.Equal("cli test", fromCli.Reason);
        Assert.Contains($"verification:     {(fromCli.Verification.Passed ? "passed" : "FAILED")}: {fromCli.Verification.Message}", erased.Output);
        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Contains(fromCli.Rows[0].Sha256, shown.Output);
        // German Credit has no test file, so its first erasure writes the test split as one.
        Assert.Equal("", fromCli.PreviousTestSha256);
        Assert.Contains($"test file:        none -> {fromCli.NewTestSha256} (the training file's test split, fixed from now on)", shown.Output);
        Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith(fromCli.Id, StringComparison.Ordinal) && line.Contains(" 9 "));
        Assert.Equal(ExitCodes.UsageError, again.ExitCode);
        Assert.Contains("FAILED_PRECONDITION", again.Error);
    }

    [Fact]
    public async Task Erase_NoRows_IsUsageError()
    {
        var (exitCode, _, error) = await RunCliAsync("erase", "--server", Server.Url, "--version", "any");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("--rows", error);
    }

    private async Task<string> RegisterAndTrainGermanAsync()
    {
        string import = Path.Combine(Server.DataDirectory, "import");
        File.Copy(Path.Combine(Path.GetDirectoryName(ComputeProcess.ComputeAssembly)!, "Datasets", "german-credit.csv"), Path.Combine(import, "german-credit.csv"), overwrite: true);
        using var channel = Server.CreateChannel();
        await new DatasetService.DatasetServiceClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest
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
        var jobs = new JobService.JobServiceClient(channel);
        var submitted = await jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 2 } });
        using (var watch = jobs.WatchJob(new WatchJobRequest { JobId = submitted.Id }))
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }

        var job = await jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Id });
        Assert.True(job.State == JobState.Succeeded, $"training ended {job.State}: {job.Error}");
        return job.Result.Train.VersionId;
    }

    private Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args) =>
        CliRun.RunWithKeyAsync(Server.ApiKey("compliance"), args);
}
