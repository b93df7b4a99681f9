using Grpc.Core;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Turns a failed compute call behind a download endpoint into an HTTP problem response with the server's message.</summary>
internal static class DownloadErrors
{
    public static IResult Problem(ComputeUnavailableException exception) => exception.StatusCode switch
    {
        StatusCode.PermissionDenied => Results.Problem(exception.Message, statusCode: StatusCodes.Status403Forbidden),
        StatusCode.Unauthenticated => Results.Problem(exception.Message, statusCode: StatusCodes.Status401Unauthorized),
        StatusCode.NotFound => Results.Problem(exception.Message, statusCode: StatusCodes.Status404NotFound),
        _ => Results.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway),
    };
}
