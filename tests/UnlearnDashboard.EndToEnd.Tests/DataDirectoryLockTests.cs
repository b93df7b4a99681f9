using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>A second compute server started on the SQLite data folder of a running one.</summary>
public sealed class DataDirectoryLockTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SecondServer_SameDataDirectory_ExitsAndLeavesJob(bool sameUrl)
    {
        await using var compute = await IsolatedCompute.StartAsync(
            "--Testing:FaultInjection:Dataset", "german",
            "--Testing:FaultInjection:Phase", "training",
            "--Testing:FaultInjection:Action", "Pause");
        await compute.RegisterGermanCreditAsync("german");
        var job = await compute.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german", Settings = new ModelSettings { Epochs = 1 } });
        await compute.Server.WaitForLogAsync($"Fault injection paused job {job.Id} at phase training", IsolatedCompute.JobTimeout);
        string[] urlArguments = sameUrl ? ["--urls", compute.Server.Url] : [];

        await using var second = ServerProcess.Start("ComputeAssembly", ["--DataDirectory", compute.DataDirectory, "--SeedDemo", "false", .. urlArguments]);
        int exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var jobAfter = await compute.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        var ends = await compute.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "job.end", Subject = $"job/{job.Id}" });

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{second.Log}");
        Assert.Contains("UnlearnDashboard.Compute did not start: ", second.Log);
        Assert.Contains($"Another compute server uses the data directory {compute.DataDirectory}", second.Log);
        Assert.DoesNotContain("   at ", second.Log);
        Assert.Equal(JobState.Running, jobAfter.State);
        Assert.Empty(ends.Entries);
    }

    [Fact]
    public async Task SecondServer_FileLockingDisabled_StillExits()
    {
        // The runtime setting turns off the lock that FileShare.None takes, so the server takes flock itself.
        await using var compute = await IsolatedCompute.StartAsync();
        var environment = new Dictionary<string, string> { ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1" };

        await using var second = ServerProcess.Start("ComputeAssembly", environment, ["--DataDirectory", compute.DataDirectory, "--SeedDemo", "false"]);
        int exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{second.Log}");
        Assert.Contains($"Another compute server uses the data directory {compute.DataDirectory}", second.Log);
        Assert.DoesNotContain("   at ", second.Log);
    }

    [Fact]
    public async Task Restart_AfterKill_LockIsReleased()
    {
        await using var compute = await IsolatedCompute.StartAsync();
        await compute.KillServerAsync();

        await compute.StartServerAsync();
        var jobs = await compute.Jobs.ListJobsAsync(new ListJobsRequest());

        Assert.Empty(jobs.Jobs);
        Assert.True(File.Exists(Path.Combine(compute.DataDirectory, "server.lock")), "server.lock is missing");
    }
}
