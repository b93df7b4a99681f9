using Grpc.Core;

namespace UnlearnDashboard.Web;

/// <summary>Log messages of the dashboard, with stable event ids.</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Call to the compute server at {ComputeUrl} failed with {StatusCode}")]
    public static partial void ComputeCallFailed(ILogger logger, string computeUrl, StatusCode statusCode, Exception exception);
}
