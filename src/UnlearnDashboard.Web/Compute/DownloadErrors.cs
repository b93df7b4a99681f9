using Grpc.Core;

namespace UnlearnDashboard.Web.Compute;

/// <summary>
/// Turns a failed compute call behind a download endpoint into an HTTP problem response with the server's message.
/// A fault of the request, such as a bad value or one that does not fit the stored state, is a 4xx. Only a failure
/// of the compute server itself is a 502.
/// </summary>
internal static class DownloadErrors
{
    public static IResult Problem(ComputeUnavailableException exception) => Results.Problem(exception.Message, statusCode: HttpStatus(exception.StatusCode));

    internal static int HttpStatus(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status502BadGateway,
    };
}
