using System.Globalization;
using Google.Protobuf;
using UnlearnDashboard.Cli;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary><c>unlearn compare</c> against a real Compute process, on a debiased child of the demo model.</summary>
[Collection(ComputeCollection.Name)]
public sealed class CliCompareTests(ComputeFixture compute)
{
    [Fact]
    public async Task Compare_ParentAndChild_PrintsTheGrpcNumbers()
    {
        using var channel = compute.Server.CreateChannel();
        var jobs = new JobService.JobServiceClient(channel);
        var submitted = await jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "adult",
            SensitiveAttribute = "sex",
            Method = DebiasMethod.InfluenceNewton,
            RemoveFraction = 0.03,
        });
        var job = await WaitForEndAsync(jobs, submitted.Id);
        Assert.True(job.State == JobState.Succeeded, $"debias job ended {job.State}: {job.Error}");
        var child = await new ModelService.ModelServiceClient(channel).GetVersionAsync(new GetVersionRequest { VersionId = job.Result.Debias.NewVersionId });
        string json = Path.Combine(compute.Server.DataDirectory, "compare.json");

        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await CliApp.RunAsync(
            ["compare", "--server", compute.Server.Url, "--api-key", compute.Server.ApiKey(), child.ParentVersionId, child.Id, "--resamples", "200",
                "--json", json], output, error);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var fromCli = JsonParser.Default.Parse<VersionComparison>(await File.ReadAllTextAsync(json));
        var fromGrpc = await new ComparisonService.ComparisonServiceClient(channel).CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = child.ParentVersionId,
            CandidateVersionId = child.Id,
            BootstrapResamples = 200,
        });
        Assert.Equal(fromGrpc, fromCli);

        string text = output.ToString();
        var dp = fromGrpc.Metrics.Single(m => m.Metric == "demographic_parity_difference" && m.Group == "");
        string row = text.Split('\n').Single(line => line.StartsWith("demographic parity difference ", StringComparison.Ordinal));
        string[] cells = row["demographic parity difference".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([F(dp.Baseline), F(dp.Candidate), dp.Delta.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture)], cells[..3]);
        Assert.Contains($"training rows removed by the candidate's lineage and not the baseline's: {child.RemovedSampleCount}", text);
        long flipped = fromGrpc.Flips.Sum(f => f.NowFavourable + f.NowUnfavourable);
        Assert.Contains($"decisions flipped: {flipped} of 15060 rows", text);
    }

    [Fact]
    public async Task Compare_UnknownVersion_ExitsWithServerMessage()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exitCode = await CliApp.RunAsync(["compare", "--server", compute.Server.Url, "--api-key", compute.Server.ApiKey(), "missing-a", "missing-b"],
            output, error);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("missing-a", error.ToString());
        Assert.Contains("baseline_version_id", error.ToString());
    }

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static async Task<Job> WaitForEndAsync(JobService.JobServiceClient jobs, string jobId)
    {
        using var watch = jobs.WatchJob(new WatchJobRequest { JobId = jobId });
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
        }

        return await jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
    }
}
