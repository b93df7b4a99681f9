using Google.Protobuf;
using UnlearnDashboard.Cli;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>The <c>unlearn</c> CLI against a real Compute process, on the shipped demo data.</summary>
[Collection(ComputeCollection.Name)]
public sealed class CliDebiasTests(ComputeFixture compute)
{
    [Fact]
    public async Task Debias_Adult_CutsParityGapWithinAccuracyBudget()
    {
        string json = Path.Combine(compute.Server.DataDirectory, "r.json");

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), 
            "debias", "--server", compute.Server.Url, "--dataset", "adult", "--sensitive", "sex",
            "--method", "influence-newton", "--remove-fraction", "0.05", "--compare-retrain", "--json", json);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var result = JsonParser.Default.Parse<DebiasResult>(await File.ReadAllTextAsync(json));
        double dpBefore = result.Before.DemographicParityDifference;
        double dpAfter = result.After.DemographicParityDifference;
        Assert.True(dpAfter <= 0.8 * dpBefore, $"demographic parity difference {dpBefore:F4} -> {dpAfter:F4}");
        Assert.True(result.After.Accuracy >= result.Before.Accuracy - 0.01, $"accuracy {result.Before.Accuracy:F4} -> {result.After.Accuracy:F4}");
        Assert.Equal(1357, result.RemovedSampleCount);
        Assert.True(result.Retrain.HasDemographicParityDifference);
        Assert.True(result.Timings.RetrainSeconds > 0);
        Assert.Equal(15_060, result.After.Count);
        Assert.Equal(["Male", "Female"], result.After.Groups.Select(g => g.Group));
    }

    [Fact]
    public async Task Debias_NoFlags_UsesDemoCounterfactualSet()
    {
        string json = Path.Combine(compute.Server.DataDirectory, "defaults.json");
        using var channel = compute.Server.CreateChannel();
        var sets = await new CounterfactualService.CounterfactualServiceClient(channel).ListCounterfactualSetsAsync(
            new ListCounterfactualSetsRequest { Dataset = "adult", Status = CounterfactualSetStatus.Approved });

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), 
            "debias", "--server", compute.Server.Url, "--dataset", "adult", "--sensitive", "sex", "--json", json);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var result = JsonParser.Default.Parse<DebiasResult>(await File.ReadAllTextAsync(json));
        Assert.Equal(sets.Sets[0].Id, result.CounterfactualSetId);
        Assert.Contains("method:", output);
        Assert.Contains(sets.Sets[0].Id, output);
        Assert.True(result.After.HasDemographicParityDifference);
        Assert.NotEmpty(result.LayerChanges);
        Assert.NotNull(result.Evidence.LevellingDown);
        Assert.NotNull(result.Evidence.GroupThresholds.Report);
        Assert.True(result.Evidence.RandomControl?.Draws.Count > 0 || result.Evidence.Skipped.Count > 0,
            "the random control neither ran nor was listed as skipped");
        Assert.Contains(result.Evidence.MembershipInference.Models, m => m.Model == "updated" && m.HasAuc);
        Assert.Contains("membership AUC:", output);
    }

    [Fact]
    public async Task Debias_DataFree_RunsWithoutFlags()
    {
        // The CLI sends no remove fraction unless given, so a method that ranks nothing is not rejected for it.
        string json = Path.Combine(compute.Server.DataDirectory, "data-free.json");

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "debias", "--server", compute.Server.Url, "--dataset", "german-credit", "--sensitive", "sex",
            "--method", "data-free", "--steps", "10", "--json", json);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var result = JsonParser.Default.Parse<DebiasResult>(await File.ReadAllTextAsync(json));
        Assert.Equal(0, result.RemovedSampleCount);
        Assert.NotEmpty(result.CounterfactualSetId);
    }

    [Fact]
    public async Task Debias_IgnoredFlag_IsRejected()
    {
        var (exitCode, _, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "debias", "--server", compute.Server.Url, "--dataset", "german-credit", "--sensitive", "sex",
            "--method", "data-free", "--remove-fraction", "0.3");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("Method data-free ignores remove_fraction (0.3)", error);
    }

    [Fact]
    public async Task JobsWatch_AfterLastEventOfEndedJob_EndsAtOnce()
    {
        using var channel = compute.Server.CreateChannel();
        var jobs = new JobService.JobServiceClient(channel);
        var submitted = await jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "german-credit", Method = DebiasMethod.InfluenceNewton, Evidence = new EvidenceRequest { RandomControl = false },
        });
        Job job;
        do
        {
            await Task.Delay(200);
            job = await jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Id });
        }
        while (job.State is JobState.Queued or JobState.Running);

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "jobs", "watch", job.Id, "--server", compute.Server.Url, "--after", job.LastSequence.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        Assert.DoesNotContain("reconnecting", error);
        Assert.Contains($"new version:      {job.Result.Debias.NewVersionId}", output);
    }

    [Fact]
    public async Task Debias_SeedWithConjugateGradients_IsRejected()
    {
        var (exitCode, _, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "debias", "--server", compute.Server.Url, "--dataset", "german-credit", "--sensitive", "sex", "--seed", "12345");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("seed (--seed)", error);
        Assert.Contains("Method counterfactual-replacement ignores seed (12345) unless solver is INFLUENCE_SOLVER_LISSA", error);
    }

    [Fact]
    public async Task JobsList_Training_ShowsNameAndVersion()
    {
        using var channel = compute.Server.CreateChannel();
        var jobs = await new JobService.JobServiceClient(channel).ListJobsAsync(new ListJobsRequest { State = JobState.Succeeded });
        var datasets = await new DatasetService.DatasetServiceClient(channel).ListDatasetsAsync(new ListDatasetsRequest());
        string adultId = datasets.Datasets.Single(d => d.Spec.Name == "adult").Id;
        var training = jobs.Jobs.First(job => job.Kind == JobKind.Train && job.DatasetId == adultId);

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(),
            "jobs", "list", "--server", compute.Server.Url, "--state", "succeeded");

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstderr:\n{error}");
        Assert.Matches($@"(?m)^{training.Id}\s+train\s+succeeded\s+adult\s+-\s+{training.ModelVersionId}\s", output);
    }

    [Fact]
    public async Task Debias_JsonFile_EqualsGrpcResult()
    {
        string json = Path.Combine(compute.Server.DataDirectory, "same.json");

        var (exitCode, output, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), 
            "debias", "--server", compute.Server.Url, "--dataset", "adult", "--sensitive", "sex",
            "--remove-fraction", "0.05", "--json", json);

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var fromCli = JsonParser.Default.Parse<DebiasResult>(await File.ReadAllTextAsync(json));
        using var channel = compute.Server.CreateChannel();
        var version = await new ModelService.ModelServiceClient(channel).GetVersionAsync(new GetVersionRequest { VersionId = fromCli.NewVersionId });
        var job = await new JobService.JobServiceClient(channel).GetJobAsync(new GetJobRequest { JobId = version.JobId });
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(job.Result.Debias, fromCli);
    }

    public static TheoryData<string, string, string[]> BadFiles => new()
    {
        { "empty.csv", "", ["empty"] },
        { "semicolons.csv", "age;sex;income\n30;Male;1\n40;Female;0\n", ["';'"] },
        { "ragged.csv", "age,sex,income\n30,Male,1\n40,Female\n50,Male,0\n", ["line 3"] },
        { "one-group.csv", "age,sex,income\n30,Male,1\n40,Male,0\n50,Male,1\n60,Male,0\n", ["sex", "Male"] },
        { "text-in-number.csv", NumericWithText(), ["age", "abc"] },
        { "no-sensitive.csv", "age,gender,income\n30,Male,1\n40,Female,0\n", ["sex"] },
        { "yes-no.csv", "age,sex,income\n30,Male,yes\n40,Female,no\n50,Male,no\n60,Female,yes\n", ["favourable_label (--positive)", "Favourable label '1'"] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task DebiasData_BadCsv_FailsAndStoresNothing(string fileName, string content, string[] expectedInError)
    {
        string path = Path.Combine(compute.Server.DataDirectory, fileName);
        await File.WriteAllTextAsync(path, content);
        using var channel = compute.Server.CreateChannel();
        var datasets = new DatasetService.DatasetServiceClient(channel);
        int before = (await datasets.ListDatasetsAsync(new ListDatasetsRequest())).Datasets.Count;

        var (exitCode, _, error) = await CliRun.RunWithKeyAsync(compute.Server.ApiKey(), 
            "debias", "--server", compute.Server.Url, "--data", path, "--label", "income", "--positive", "1", "--sensitive", "sex");

        Assert.NotEqual(0, exitCode);
        foreach (string expected in expectedInError)
            Assert.True(error.Contains(expected, StringComparison.OrdinalIgnoreCase), $"'{expected}' is not in the error output:\n{error}");
        int after = (await datasets.ListDatasetsAsync(new ListDatasetsRequest())).Datasets.Count;
        Assert.Equal(before, after);
    }

    private static string NumericWithText()
    {
        var lines = new List<string> { "age,sex,income" };
        for (int i = 0; i < 40; i++)
            lines.Add($"{20 + i},{(i % 2 == 0 ? "Male" : "Female")},{i % 3 % 2}");
        lines.Add("abc,Female,1");
        return string.Join('\n', lines) + "\n";
    }
}
