using Google.Protobuf;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Compute;

/// <summary>
/// <c>GET /erasures/{id}/certificate.json</c>: reads an erasure certificate from the compute server with the
/// signed-in user's session token and returns it as a download, in the protobuf JSON mapping that
/// <c>unlearn erasures show --json</c> writes. Like every endpoint, it needs a signed-in user.
/// </summary>
public static class ErasureCertificateEndpoint
{
    public const string Pattern = "/erasures/{id}/certificate.json";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public static string UrlFor(string erasureId) => $"/erasures/{Uri.EscapeDataString(erasureId)}/certificate.json";

    public static async Task<IResult> HandleAsync(
        string id,
        HttpContext context,
        UserSession session,
        IComputeErasures erasures,
        CancellationToken cancellationToken)
    {
        session.User = context.User;
        try
        {
            var certificate = await erasures.GetCertificateAsync(id, cancellationToken);
            string json = Formatter.Format(certificate);
            return Results.File(System.Text.Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8", $"erasure-certificate-{certificate.Id}.json");
        }
        catch (ComputeUnavailableException exception)
        {
            return DownloadErrors.Problem(exception);
        }
    }
}
