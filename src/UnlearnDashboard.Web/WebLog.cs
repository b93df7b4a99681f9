using Grpc.Core;

namespace UnlearnDashboard.Web;

/// <summary>Log messages of the dashboard, with stable event ids.</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Call to the compute server at {ComputeUrl} failed with {StatusCode}")]
    public static partial void ComputeCallFailed(ILogger logger, string computeUrl, StatusCode statusCode, Exception exception);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Ending the session of {UserName} on the compute server failed, so its token stays valid until it expires")]
    public static partial void SessionEndFailed(ILogger logger, string userName, Exception exception);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Relay of job {JobId} started")]
    public static partial void RelayStarted(ILogger logger, string jobId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Relay of job {JobId} watching after sequence {AfterSequence}")]
    public static partial void RelayWatching(ILogger logger, string jobId, long afterSequence);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "WatchJob stream of job {JobId} dropped after sequence {LastSequence} with {StatusCode}; resuming")]
    public static partial void RelayStreamDropped(ILogger logger, string jobId, long lastSequence, StatusCode statusCode, Exception exception);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "WatchJob stream of job {JobId} ended after sequence {LastSequence} without a final event; resuming")]
    public static partial void RelayStreamEndedEarly(ILogger logger, string jobId, long lastSequence);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Compute rejected WatchJob of job {JobId} with {StatusCode}")]
    public static partial void RelayRejected(ILogger logger, string jobId, StatusCode statusCode, Exception exception);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Sending event {Sequence} of job {JobId} to the hub group failed")]
    public static partial void RelaySendFailed(ILogger logger, string jobId, long sequence, Exception exception);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Relay of job {JobId} read the final event {LastSequence}")]
    public static partial void RelayEnded(ILogger logger, string jobId, long lastSequence);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "Relay of job {JobId} stopped")]
    public static partial void RelayStopped(ILogger logger, string jobId);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Loading the events of job {JobId} from the jobs hub failed")]
    public static partial void SubscriptionCatchUpFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Unsubscribing from job {JobId} failed")]
    public static partial void UnsubscribeFailed(ILogger logger, string jobId, Exception exception);
}
