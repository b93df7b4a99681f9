using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages.Erasures;

/// <summary>One erasure certificate: the rows by id and hash, the method, the membership-inference check and the versions affected.</summary>
public sealed partial class ErasureCertificateView : ComputePage
{
    private ErasureCertificate? _certificate;
    private bool _loading = true;
    private string? _error;

    /// <summary>Erasure id, or the id of the job that made the erasure.</summary>
    [Parameter, EditorRequired]
    public string ErasureId { get; set; } = "";

    [Inject]
    private IComputeErasures ErasureService { get; set; } = default!;

    public static string UrlFor(string erasureId) => $"/erasures/{Uri.EscapeDataString(erasureId)}";

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        _error = null;
        await CallComputeAsync(
            async cancellationToken => _certificate = await ErasureService.GetCertificateAsync(ErasureId, cancellationToken),
            message => _error = message);
        _loading = false;
    }

    private static string DescribeMethod(ErasureMethod method)
    {
        string damping = method.Damping.ToString("G3", CultureInfo.InvariantCulture) + (method.DampingChosenByRule ? " (chosen by the damping rule)" : "");
        string steps = method.NewtonSteps == 1 ? "1 Newton step" : $"{method.NewtonSteps} Newton steps";
        string residual = method.SolverResidual.ToString("G3", CultureInfo.InvariantCulture);
        return $"{method.Name} on {string.Join(", ", method.Layers)}, damping {damping}, {steps}. " +
               $"Conjugate gradients took {method.SolverIterations} iterations to a relative residual of {residual}.";
    }

    private static string DescribeSplits(ErasureCertificate certificate) =>
        string.Join(", ", certificate.Rows
            .GroupBy(row => row.Split.Length > 0 ? row.Split : "no split")
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => $"{group.Count()} {group.Key}"));

    private static string DescribeFile(string previous, string next, bool previousDeleted) =>
        previous == next
            ? $"{next} (unchanged)"
            : $"{previous} → {next} (previous file {(previousDeleted ? "deleted" : "kept, because another dataset uses it")})";

    /// <summary>Describes the test file's change; a dataset without one gets its training file's test split as a test file.</summary>
    private static string DescribeTestFile(ErasureCertificate certificate) =>
        certificate.PreviousTestSha256.Length == 0
            ? $"none → {certificate.NewTestSha256} (the training file's test split, fixed from now on)"
            : DescribeFile(certificate.PreviousTestSha256, certificate.NewTestSha256, certificate.PreviousTestFileDeleted);
}
