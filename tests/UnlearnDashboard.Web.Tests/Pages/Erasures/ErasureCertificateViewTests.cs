using Bunit;
using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages.Erasures;

namespace UnlearnDashboard.Web.Tests.Pages.Erasures;

public sealed class ErasureCertificateViewTests : DashboardTestContext
{
    [Fact]
    public void Certificate_ShowsRowsMethodVerificationAndVersions()
    {
        Erasures.Certificates.Add(Certificate());

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "erasure-1"));

        page.WaitForElement("[data-testid=certificate]");
        Assert.Equal("3 (2 train, 1 validation)", page.Find("[data-testid=row-count]").TextContent);
        Assert.Equal("dataset-adult: version 1 → 2", page.Find("[data-testid=dataset-versions]").TextContent);
        Assert.Equal("0.5123", page.Find("[data-testid=erased-auc]").TextContent);
        Assert.Equal("0.5031", page.Find("[data-testid=retrained-auc]").TextContent);
        Assert.Equal("0.5031", page.Find("[data-testid=reference-auc]").TextContent);
        Assert.Equal("true", page.Find("[data-testid=verification-chip]").GetAttribute("data-passed"));
        Assert.Equal("erased AUC 0.5123 is within 0.05 of the retrained AUC 0.5031.", page.Find("[data-testid=verification-message]").TextContent);
        Assert.Contains("newton_removal on fc3, damping 0.0001 (chosen by the damping rule), 1 Newton step", page.Find("[data-testid=method]").TextContent);
        Assert.Equal([TestData.TrainedVersionId, TestData.DebiasedVersionId],
            page.FindAll("[data-testid=versions-affected] [data-version-id]").Select(e => e.GetAttribute("data-version-id")));
        Assert.Equal("version-new", page.Find("[data-testid=new-version]").TextContent);
        Assert.Equal(["1000", "1001", "1002"], page.FindAll("[data-testid=rows] tbody tr").Select(r => r.GetAttribute("data-row-id")));
        Assert.Equal("/erasures/erasure-1/certificate.json", page.Find("[data-testid=download-json]").GetAttribute("href"));
    }

    [Fact]
    public void Certificate_WithdrawnSets_LinksEachSet()
    {
        var certificate = Certificate();
        certificate.WithdrawnCounterfactualSets.Add(new WithdrawnCounterfactualSet
        {
            SetId = "set-9",
            PreviousStatus = "APPROVED",
            RowIds = { 1000, 1002 },
            ArtifactSha256 = new string('5', 64),
            ArtifactDeleted = true,
        });
        Erasures.Certificates.Add(certificate);

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "erasure-1"));

        page.WaitForElement("[data-testid=certificate]");
        var set = page.Find("[data-testid=sets-withdrawn] [data-set-id=set-9]");
        Assert.Equal("/counterfactuals/set-9", set.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("(was approved, copied row ids 1000, 1002)", set.TextContent);
    }

    [Fact]
    public void Certificate_NoWithdrawnSets_SaysNone()
    {
        Erasures.Certificates.Add(Certificate());

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "erasure-1"));

        page.WaitForElement("[data-testid=certificate]");
        Assert.Equal("none", page.Find("[data-testid=sets-withdrawn]").TextContent.Trim());
    }

    [Fact]
    public void Certificate_SkippedRetrain_ComparesWithGuessing()
    {
        var certificate = Certificate();
        certificate.Verification.ClearRetrainedAuc();
        certificate.Verification.ReferenceAuc = 0.5;
        Erasures.Certificates.Add(certificate);

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "job-erase-1"));

        page.WaitForElement("[data-testid=certificate]");
        Assert.Equal("skipped", page.Find("[data-testid=retrained-auc]").TextContent);
        Assert.Equal("0.5000", page.Find("[data-testid=reference-auc]").TextContent);
        Assert.Contains("reference (an attack that guesses)", page.Find("[data-testid=auc]").TextContent);
    }

    [Fact]
    public void Certificate_NewTestFile_ShowsSplitFixed()
    {
        var certificate = Certificate();
        certificate.NewTestSha256 = new string('4', 64);
        Erasures.Certificates.Add(certificate);

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "erasure-1"));

        page.WaitForElement("[data-testid=certificate]");
        Assert.Equal($"none → {new string('4', 64)} (the training file's test split, fixed from now on)",
            page.Find("[data-testid=test-file]").TextContent);
    }

    [Fact]
    public void Certificate_TestFileUnchanged_SaysSo()
    {
        var certificate = Certificate();
        certificate.PreviousTestSha256 = new string('3', 64);
        certificate.NewTestSha256 = new string('3', 64);
        Erasures.Certificates.Add(certificate);

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "erasure-1"));

        page.WaitForElement("[data-testid=certificate]");
        Assert.Equal($"{new string('3', 64)} (unchanged)", page.Find("[data-testid=test-file]").TextContent);
    }

    [Fact]
    public void Certificate_NoTestFileHashes_HidesTestFileRow()
    {
        Erasures.Certificates.Add(Certificate());

        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "erasure-1"));

        page.WaitForElement("[data-testid=certificate]");
        Assert.Empty(page.FindAll("[data-testid=test-file]"));
    }

    [Fact]
    public void Certificate_Unknown_ShowsServerMessage()
    {
        var page = Render<ErasureCertificateView>(parameters => parameters.Add(p => p.ErasureId, "missing"));

        page.WaitForAssertion(() => Assert.Equal("Erasure 'missing' was not found.", page.Find("[data-testid=load-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=download-json]"));
    }

    /// <summary>An erasure of three Adult rows, two of them in the training split, that passed its check against a retrain.</summary>
    internal static ErasureCertificate Certificate() => new()
    {
        Id = "erasure-1",
        JobId = "job-erase-1",
        IssuedAt = Timestamp.FromDateTime(new DateTime(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc)),
        RequestedBy = "carol",
        Reason = "request 17",
        DatasetId = TestData.AdultId,
        Rows =
        {
            new ErasedRow { RowId = 1000, Sha256 = new string('a', 64), Split = "train" },
            new ErasedRow { RowId = 1001, Sha256 = new string('b', 64), Split = "train" },
            new ErasedRow { RowId = 1002, Sha256 = new string('c', 64), Split = "validation" },
        },
        Method = new ErasureMethod { Name = "newton_removal", Layers = { "fc3" }, Damping = 1e-4, DampingChosenByRule = true, NewtonSteps = 1, SolverIterations = 12, SolverResidual = 3e-7 },
        Verification = new MembershipCheck
        {
            MemberCount = 2,
            NonMemberCount = 2,
            BaseAuc = 0.75,
            ErasedAuc = 0.51234,
            RetrainedAuc = 0.50312,
            ReferenceAuc = 0.50312,
            Tolerance = 0.05,
            Passed = true,
            Message = "erased AUC 0.5123 is within 0.05 of the retrained AUC 0.5031.",
        },
        BaseVersionId = TestData.TrainedVersionId,
        NewVersionId = "version-new",
        VersionsAffected = { TestData.TrainedVersionId, TestData.DebiasedVersionId },
        PreviousTrainSha256 = new string('1', 64),
        NewTrainSha256 = new string('2', 64),
        PreviousDatasetVersion = 1,
        NewDatasetVersion = 2,
        PreviousFileDeleted = true,
    };
}
