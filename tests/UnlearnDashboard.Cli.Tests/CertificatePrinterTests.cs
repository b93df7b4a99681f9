using UnlearnDashboard.Cli.Commands.Erasure;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class CertificatePrinterTests
{
    [Fact]
    public void Write_WithdrawnSets_ListsEachSet()
    {
        var certificate = Certificate();
        certificate.WithdrawnCounterfactualSets.Add(new WithdrawnCounterfactualSet
        {
            SetId = "set-9",
            PreviousStatus = "APPROVED",
            RowIds = { 5, 7 },
            ArtifactSha256 = new string('5', 64),
            ArtifactDeleted = true,
        });
        certificate.WithdrawnCounterfactualSets.Add(new WithdrawnCounterfactualSet
        {
            SetId = "set-10",
            PreviousStatus = "PENDING",
            RowIds = { 0 },
            ArtifactSha256 = new string('6', 64),
        });
        var writer = new StringWriter();

        CertificatePrinter.Write(certificate, writer);

        string line = writer.ToString().Split(Environment.NewLine).Single(l => l.StartsWith("sets withdrawn:", StringComparison.Ordinal));
        Assert.Contains("set-9 (was APPROVED, copied row(s) 5 7, rows deleted)", line);
        Assert.Contains("set-10 (was PENDING, copied row(s) 0, rows kept: another set uses the file)", line);
    }

    [Fact]
    public void Write_NoWithdrawnSets_PrintsDash()
    {
        var writer = new StringWriter();

        CertificatePrinter.Write(Certificate(), writer);

        Assert.Contains($"sets withdrawn:   -{Environment.NewLine}", writer.ToString());
    }

    private static ErasureCertificate Certificate() => new()
    {
        Id = "erasure-1",
        JobId = "job-1",
        RequestedBy = "carol",
        DatasetId = "dataset-german",
        PreviousDatasetVersion = 1,
        NewDatasetVersion = 2,
        PreviousTrainSha256 = new string('1', 64),
        NewTrainSha256 = new string('2', 64),
        BaseVersionId = "version-1",
        NewVersionId = "version-2",
        Method = new ErasureMethod { Name = "newton_removal", Layers = { "fc3" }, NewtonSteps = 1 },
        Verification = new MembershipCheck { Passed = true, Message = "ok" },
        Rows = { new ErasedRow { RowId = 5, Sha256 = new string('3', 64), Split = "train" } },
    };
}
