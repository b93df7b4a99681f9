using System.Security.Cryptography;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.EndToEnd.Tests;

/// <summary>
/// The compute server killed with SIGKILL while a debias job is paused at each phase, then started again on
/// the same data folder.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Theory]
    [InlineData("ranking", 1)]
    [InlineData("unlearning", 1)]
    [InlineData("evaluating", 2)]
    [InlineData("saving", 1)]
    public async Task ServerKilled_MidJob_LeavesNoPartialVersion(string phase, int occurrence)
    {
        await using var compute = await IsolatedCompute.StartAsync();
        await compute.RegisterGermanCreditAsync("german");
        var training = await compute.TrainAsync("german");
        var committed = await compute.Models.GetVersionAsync(new GetVersionRequest { VersionId = training.Result.Train.VersionId });
        var artifactsBefore = compute.ListArtifacts();
        await compute.KillServerAsync();

        await compute.StartServerAsync(
            "--Testing:FaultInjection:Dataset", "german",
            "--Testing:FaultInjection:Phase", phase,
            "--Testing:FaultInjection:Occurrence", occurrence.ToString(),
            "--Testing:FaultInjection:Action", "Pause");
        var request = new DebiasRequest { Dataset = "german", Method = DebiasMethod.InfluenceNewton, RemoveFraction = 0.05 };
        var job = await compute.Jobs.SubmitDebiasAsync(request);
        await compute.Server.WaitForLogAsync($"Fault injection paused job {job.Id} at phase {phase}", IsolatedCompute.JobTimeout);
        await compute.KillServerAsync();
        await WorkerProcesses.WaitUntilGoneAsync(job.Id, TimeSpan.FromSeconds(10));

        await compute.StartServerAsync();
        var interrupted = await compute.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id });
        var versions = await compute.Models.ListVersionsAsync(new ListVersionsRequest());
        var artifactsAfter = compute.ListArtifacts();
        string committedPath = Path.Combine(compute.ArtifactDirectory, committed.WeightsSha256[..2], committed.WeightsSha256);
        string committedHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(committedPath)));
        var evaluation = await compute.Models.EvaluateFairnessAsync(new EvaluateFairnessRequest { VersionId = committed.Id });
        var audit = await compute.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        var rerun = await compute.Jobs.SubmitDebiasAsync(interrupted.DebiasRequest);
        var rerunEnd = await compute.WaitForEndAsync(rerun.Id);

        Assert.Equal(JobState.Interrupted, interrupted.State);
        Assert.Equal([committed.Id], versions.Versions.Select(v => v.Id));
        Assert.Equal(artifactsBefore, artifactsAfter);
        Assert.Empty(Directory.EnumerateFileSystemEntries(compute.StagingDirectory));
        Assert.Equal(committed.WeightsSha256, committedHash);
        Assert.Equal(committed.TestReport.Accuracy, evaluation.Accuracy);
        Assert.True(audit.Intact, audit.Reason);
        Assert.Equal(JobState.Succeeded, rerunEnd.State);
        Assert.Equal(committed.Id, rerunEnd.Result.Debias.BaseVersionId);
    }
}
