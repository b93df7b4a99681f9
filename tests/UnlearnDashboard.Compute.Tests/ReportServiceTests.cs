using System.Globalization;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public abstract class ReportServiceTests(JobServerFixture server)
{
    private ReportService.ReportServiceClient Reports => new(server.Channel);

    [Fact]
    public async Task MeetingPack_DebiasedChild_GathersEvidence()
    {
        var job = await server.Jobs.SubmitDebiasAsync(new DebiasRequest
        {
            Dataset = "adult",
            SensitiveAttribute = "sex",
            Method = DebiasMethod.InfluenceNewton,
            RemoveFraction = 0.02,
        });
        var ended = await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);
        Assert.True(ended.State == JobState.Succeeded, $"The debias job ended {ended.State}: {ended.Error}");
        var child = await server.Models.GetVersionAsync(new GetVersionRequest { VersionId = ended.Result.Debias.NewVersionId });

        var pack = await Reports.GenerateMeetingPackAsync(new MeetingPackRequest
        {
            BaselineVersionId = child.ParentVersionId,
            CandidateVersionId = child.Id,
            IntersectionColumns = { "race" },
        });

        var comparison = await new ComparisonService.ComparisonServiceClient(server.Channel).CompareVersionsAsync(new CompareVersionsRequest
        {
            BaselineVersionId = child.ParentVersionId,
            CandidateVersionId = child.Id,
        });
        Assert.Equal(comparison, pack.Comparison);
        Assert.Equal([job.Id], pack.LineageJobs.Select(j => j.Id));
        Assert.Equal(0.02, pack.LineageJobs[0].DebiasRequest.RemoveFraction);
        Assert.Contains(pack.AuditExcerpt, e => e.Subject == $"job/{job.Id}" && e.Action == "job.end");
        Assert.True(pack.AuditCheck.Intact, pack.AuditCheck.Reason);
        Assert.Equal("adult", pack.Dataset.Spec.Name);

        var female = pack.ImpactRows.Single(r => r.Grouping == "sex" && r.Group == "Female" && r.Version == "candidate");
        var femaleReport = child.TestReport.Groups.Single(g => g.Group == "Female");
        Assert.Equal(femaleReport.SelectionRate, female.SelectionRate, 12);
        Assert.Equal(comparison.Impacts.Single(i => i.Group == "Female").CandidateRatio, female.ImpactRatio);
        Assert.True(female.BelowFourFifths, $"Female's impact ratio {female.ImpactRatio:F3}");
        Assert.Contains(pack.ImpactRows, r => r.Grouping == "sex|race" && r.Group == "Female|White");
        var dp = comparison.Metrics.Single(m => m.Metric == "demographic_parity_difference" && m.Group == "");
        Assert.Contains($"<td class=\"number\" data-column=\"candidate\">{dp.Candidate.ToString("F4", CultureInfo.InvariantCulture)}</td>", pack.Html);
        Assert.True(pack.ReleaseGateCheckedNow);
        Assert.True(pack.ReleaseGate.Gate.IsDefault);
        Assert.Equal(["min_disparate_impact_ratio", "max_accuracy_drop"], pack.ReleaseGate.Rules.Select(r => r.Rule));
        Assert.Equal(child.TestReport.DisparateImpactRatio, pack.ReleaseGate.Rules[0].Value, 12);
        Assert.Equal(pack.ReleaseGate.Passed, pack.ReleaseGate.Rules.All(r => r.Passed));
        Assert.Contains($"data-verdict=\"{(pack.ReleaseGate.Passed ? "passed" : "failed")}\"", pack.Html);
        Assert.Contains("<table data-table=\"gate\">", pack.Html);
        Assert.DoesNotContain("<script", pack.Html);
        Assert.DoesNotContain("http://", pack.Html);
    }

    [Fact]
    public async Task MeetingPack_UnknownColumn_InvalidArgumentNamingIt()
    {
        string version = server.Adult.DefaultModelVersionId;

        var error = await RpcAssert.FailsAsync(() => Reports.GenerateMeetingPackAsync(new MeetingPackRequest
        {
            BaselineVersionId = version,
            CandidateVersionId = version,
            IntersectionColumns = { "no_such_column" },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("no_such_column", error.Status.Detail);
    }
}

public sealed class ReportServiceSqliteTests(JobServerFixture server) : ReportServiceTests(server), IClassFixture<JobServerFixture>;

public sealed class ReportServicePostgresTests(PostgresJobServerFixture server) : ReportServiceTests(server), IClassFixture<PostgresJobServerFixture>;
