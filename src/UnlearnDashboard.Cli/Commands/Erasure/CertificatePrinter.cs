using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Erasure;

/// <summary>Text forms of erasure certificates.</summary>
internal static class CertificatePrinter
{
    public static void Write(ErasureCertificate certificate, TextWriter writer)
    {
        var check = certificate.Verification ?? new MembershipCheck();
        writer.WriteLine($"erasure:          {certificate.Id}");
        writer.WriteLine($"job:              {certificate.JobId}");
        writer.WriteLine($"issued:           {Formats.Time(certificate.IssuedAt)} to {certificate.RequestedBy}");
        writer.WriteLine($"reason:           {Formats.OrDash(certificate.Reason)}");
        writer.WriteLine($"dataset:          {certificate.DatasetId} version {certificate.PreviousDatasetVersion} -> {certificate.NewDatasetVersion}");
        writer.WriteLine($"training file:    {DescribeFile(certificate.PreviousTrainSha256, certificate.NewTrainSha256, certificate.PreviousFileDeleted)}");
        if (certificate.NewTestSha256.Length > 0)
            writer.WriteLine($"test file:        {DescribeTestFile(certificate)}");
        writer.WriteLine($"versions:         {certificate.BaseVersionId} -> {certificate.NewVersionId}");
        writer.WriteLine($"still affected:   {Formats.OrDash(string.Join(", ", certificate.VersionsAffected))}");
        writer.WriteLine($"sets withdrawn:   {Formats.OrDash(string.Join(", ", certificate.WithdrawnCounterfactualSets.Select(DescribeWithdrawnSet)))}");
        var method = certificate.Method ?? new ErasureMethod();
        writer.WriteLine($"method:           {method.Name} on {string.Join(", ", method.Layers)}, damping {method.Damping:G3}{(method.DampingChosenByRule ? " (rule)" : "")}, {method.NewtonSteps} step(s)");
        writer.WriteLine($"verification:     {(check.Passed ? "passed" : "FAILED")}: {check.Message}");
        writer.WriteLine($"rows:             {certificate.Rows.Count}");

        var table = new TextTable("row id", "split", "sha256").AlignRight(0);
        foreach (var row in certificate.Rows)
            table.AddRow(Formats.Count(row.RowId), Formats.OrDash(row.Split), row.Sha256);
        table.Write(writer);
    }

    /// <summary>Describes a counterfactual set that the erasure withdrew, with the copied rows in the set's numbering.</summary>
    private static string DescribeWithdrawnSet(WithdrawnCounterfactualSet set) =>
        $"{set.SetId} (was {set.PreviousStatus}, copied row(s) {string.Join(' ', set.RowIds)}, rows {(set.ArtifactDeleted ? "deleted" : "kept: another set uses the file")})";

    private static string DescribeFile(string previous, string next, bool previousDeleted) =>
        previous == next
            ? $"{next} (unchanged)"
            : $"{previous} -> {next} (previous {(previousDeleted ? "deleted" : "kept: another dataset uses it")})";

    /// <summary>Describes the test file's change; a dataset without one gets its training file's test split as a test file.</summary>
    private static string DescribeTestFile(ErasureCertificate certificate) =>
        certificate.PreviousTestSha256.Length == 0
            ? $"none -> {certificate.NewTestSha256} (the training file's test split, fixed from now on)"
            : DescribeFile(certificate.PreviousTestSha256, certificate.NewTestSha256, certificate.PreviousTestFileDeleted);

    /// <summary>Writes an erasure job's result; <c>unlearn erasures show</c> prints the whole certificate.</summary>
    public static void WriteResult(ErasureResult result, TextWriter writer)
    {
        writer.WriteLine($"erasure:      {result.ErasureId}");
        writer.WriteLine($"versions:     {result.BaseVersionId} -> {result.NewVersionId}");
        writer.WriteLine($"rows:         {result.ErasedRowCount} erased, {result.TrainedRowCount} of them in the training split");
        writer.WriteLine($"verification: {(result.Verification?.Passed == true ? "passed" : "FAILED")}: {result.Verification?.Message}");
    }

    public static void WriteList(ListErasuresResponse response, TextWriter writer)
    {
        if (response.Certificates.Count == 0)
        {
            writer.WriteLine("No erasures.");
            return;
        }

        var table = new TextTable("erasure", "issued", "dataset", "rows", "base version", "new version", "verified").AlignRight(3);
        foreach (var certificate in response.Certificates)
        {
            table.AddRow(
                certificate.Id,
                Formats.Time(certificate.IssuedAt),
                certificate.DatasetId,
                Formats.Count(certificate.Rows.Count),
                certificate.BaseVersionId,
                certificate.NewVersionId,
                certificate.Verification?.Passed == true ? "yes" : "no");
        }

        table.Write(writer);
    }
}
