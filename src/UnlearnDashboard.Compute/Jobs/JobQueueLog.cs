namespace UnlearnDashboard.Compute.Jobs;

/// <summary>Log messages of the PostgreSQL job queue, its leases and its notifications, with event ids 370 to 389.</summary>
internal static partial class JobQueueLog
{
    [LoggerMessage(EventId = 370, Level = LogLevel.Information, Message = "Compute server {Owner} takes jobs from the PostgreSQL queue with {LeaseSeconds} s leases")]
    public static partial void SharedQueueStarted(this ILogger logger, string owner, int leaseSeconds);

    [LoggerMessage(EventId = 371, Level = LogLevel.Information, Message = "Job {JobId} claimed by {Owner} as attempt {Attempt}")]
    public static partial void JobClaimed(this ILogger logger, string jobId, string owner, int attempt);

    [LoggerMessage(EventId = 372, Level = LogLevel.Error, Message = "Claiming a job from the PostgreSQL queue failed; retrying")]
    public static partial void ClaimFailed(this ILogger logger, Exception error);

    [LoggerMessage(EventId = 373, Level = LogLevel.Warning, Message = "Renewing the lease of job {JobId} failed; retrying")]
    public static partial void LeaseRenewalFailed(this ILogger logger, Exception error, string jobId);

    [LoggerMessage(EventId = 374, Level = LogLevel.Warning, Message = "Job {JobId} lost its lease to another server; stopped it here without storing anything more")]
    public static partial void LeaseLost(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 375, Level = LogLevel.Information, Message = "Job {JobId} put back in the queue because this server is stopping")]
    public static partial void JobReleased(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 376, Level = LogLevel.Error, Message = "Putting job {JobId} back in the queue failed; another server takes it over once its lease expires")]
    public static partial void JobReleaseFailed(this ILogger logger, Exception error, string jobId);

    [LoggerMessage(EventId = 377, Level = LogLevel.Warning, Message = "Listening for PostgreSQL job notifications failed; reconnecting in {Seconds} s")]
    public static partial void ListenFailed(this ILogger logger, Exception error, double seconds);

    [LoggerMessage(EventId = 378, Level = LogLevel.Warning, Message = "Notifying other servers of job {JobId} failed; they read its events on their next poll")]
    public static partial void JobNotificationFailed(this ILogger logger, Exception error, string jobId);

    [LoggerMessage(EventId = 379, Level = LogLevel.Error, Message = "Relaying the stored events of job {JobId} to watchers failed")]
    public static partial void RelayFailed(this ILogger logger, Exception error, string jobId);

    [LoggerMessage(EventId = 380, Level = LogLevel.Information, Message = "Job {JobId} cancellation requested through the database for the server that runs it")]
    public static partial void RemoteCancelRequested(this ILogger logger, string jobId);
}
