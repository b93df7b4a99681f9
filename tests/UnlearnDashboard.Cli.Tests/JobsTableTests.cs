using UnlearnDashboard.Cli.Commands.Jobs;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

/// <summary>The version columns of `unlearn jobs list` and `unlearn jobs get`.</summary>
public sealed class JobsTableTests
{
    private static readonly Job Training = new() { Id = "job-train", Kind = JobKind.Train, State = JobState.Succeeded, DatasetId = "dataset-1", ModelVersionId = "version-1" };

    private static readonly Job Debias = new()
    {
        Id = "job-debias",
        Kind = JobKind.Debias,
        State = JobState.Succeeded,
        DatasetId = "adult",
        ModelVersionId = "version-1",
        Result = new JobResult { Debias = TestResults.Debias() },
    };

    private static readonly Job FailedErasure = new() { Id = "job-erase", Kind = JobKind.Erase, State = JobState.Failed, DatasetId = "adult", ModelVersionId = "version-2", Error = "The worker process exited." };

    [Fact]
    public void WriteTable_EachKind_ShowsVersions()
    {
        var writer = new StringWriter();

        var names = new Dictionary<string, string> { ["dataset-1"] = "adult" };

        JobsListCommand.WriteTable(new ListJobsResponse { Jobs = { Training, Debias, FailedErasure } }, names, writer);

        var lines = writer.ToString().Split(Environment.NewLine);
        Assert.Matches(@"^id\s+kind\s+state\s+dataset\s+base version\s+new version\s+created", lines[0]);
        Assert.Matches(@"^job-train\s+train\s+succeeded\s+adult\s+-\s+version-1\s", lines[1]);
        Assert.Matches(@"^job-debias\s+debias\s+succeeded\s+adult\s+version-1\s+version-2\s", lines[2]);
        Assert.Matches(@"^job-erase\s+erase\s+failed\s+adult\s+version-2\s+-\s", lines[3]);
    }

    [Fact]
    public void WriteJob_Debias_NamesBothVersions()
    {
        var writer = new StringWriter();

        JobsGetCommand.WriteJob(Debias, writer);

        Assert.Contains("versions:       base version-1, new version-2", writer.ToString());
    }
}
