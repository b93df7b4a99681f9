using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Compute;

/// <summary>
/// <c>GET /reports/meeting-pack?baseline=ID&amp;candidate=ID</c>: requests the meeting pack of two versions from
/// the compute server with the signed-in user's session token and returns its HTML page as a download. Like
/// every endpoint, it needs a signed-in user.
/// </summary>
public static class MeetingPackEndpoint
{
    public const string Path = "/reports/meeting-pack";

    public static string UrlFor(string baselineVersionId, string candidateVersionId) =>
        $"{Path}?baseline={Uri.EscapeDataString(baselineVersionId)}&candidate={Uri.EscapeDataString(candidateVersionId)}";

    public static async Task<IResult> HandleAsync(
        string? baseline,
        string? candidate,
        HttpContext context,
        UserSession session,
        ReportService.ReportServiceClient reports,
        IOptions<ComputeClientOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(baseline) || string.IsNullOrWhiteSpace(candidate))
            return Results.BadRequest("Pass both version ids: ?baseline=ID&candidate=ID.");

        session.User = context.User;
        var request = new MeetingPackRequest { BaselineVersionId = baseline, CandidateVersionId = candidate };
        try
        {
            var pack = await ComputeCall.RunAsync(
                deadline => reports.GenerateMeetingPackAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
                options.Value, loggers.CreateLogger(typeof(MeetingPackEndpoint)), "The meeting pack request", cancellationToken);
            string fileName = $"meeting-pack-{baseline}-{candidate}.html";
            return Results.File(System.Text.Encoding.UTF8.GetBytes(pack.Html), "text/html; charset=utf-8", fileName);
        }
        catch (ComputeUnavailableException exception)
        {
            return DownloadErrors.Problem(exception);
        }
    }
}
