using Grpc.Core;
using Microsoft.AspNetCore.Http;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Compute;

public sealed class DownloadErrorsTests
{
    [Theory]
    [InlineData(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest)]
    [InlineData(StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized)]
    [InlineData(StatusCode.PermissionDenied, StatusCodes.Status403Forbidden)]
    [InlineData(StatusCode.NotFound, StatusCodes.Status404NotFound)]
    [InlineData(StatusCode.FailedPrecondition, StatusCodes.Status409Conflict)]
    [InlineData(StatusCode.ResourceExhausted, StatusCodes.Status429TooManyRequests)]
    [InlineData(StatusCode.Unavailable, StatusCodes.Status502BadGateway)]
    [InlineData(StatusCode.Internal, StatusCodes.Status502BadGateway)]
    public void HttpStatus_RequestFaultsAre4xx_ServerFaults502(StatusCode status, int expected)
    {
        Assert.Equal(expected, DownloadErrors.HttpStatus(status));
    }
}
