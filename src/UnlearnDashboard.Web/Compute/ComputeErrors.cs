using Grpc.Core;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Turns failed compute calls into messages for the user.</summary>
public static class ComputeErrors
{
    public static string Describe(RpcException exception, string computeUrl) => exception.StatusCode switch
    {
        StatusCode.Unavailable =>
            $"The compute server at {computeUrl} is unreachable. Start it (for example with 'dotnet run --project src/UnlearnDashboard.AppHost') " +
            "or set ComputeUrl, then retry.",
        StatusCode.DeadlineExceeded => $"The compute server at {computeUrl} did not respond in time. Retry in a moment.",
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.ResourceExhausted
            or StatusCode.AlreadyExists or StatusCode.PermissionDenied or StatusCode.Unauthenticated => exception.Status.Detail,
        _ => $"The compute server at {computeUrl} returned {exception.StatusCode}: {exception.Status.Detail}",
    };
}
