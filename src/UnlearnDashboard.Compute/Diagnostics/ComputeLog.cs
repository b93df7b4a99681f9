using Microsoft.Extensions.Logging;

namespace UnlearnDashboard.Compute.Diagnostics;

/// <summary>
/// Log messages of the compute server with stable event ids: 1xx hosting, 2xx datasets, 3xx jobs,
/// 4xx gRPC calls, 5xx counterfactual sets, 6xx the audit trail, 7xx users and keys. Job lifecycle is at Information, per-step detail at Debug, failures at Error.
/// </summary>
internal static partial class ComputeLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Compute server listening on {Urls}; data in {DataDirectory}; database {DatabaseProvider}")]
    public static partial void ServerListening(this ILogger logger, string urls, string dataDirectory, string databaseProvider);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Demo dataset {DatasetName} registered as {DatasetId} and training job {JobId} queued")]
    public static partial void DemoSeeded(this ILogger logger, string datasetName, string datasetId, string jobId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Seeding the demo datasets failed")]
    public static partial void DemoSeedFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Demo seeding finished in {Seconds:F1} s")]
    public static partial void DemoSeedFinished(this ILogger logger, double seconds);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Demo dataset {DatasetName} ({DatasetId}) has no default model version and no queued or running training job, so its demo training was queued again as job {JobId}")]
    public static partial void DemoTrainingRequeued(this ILogger logger, string datasetName, string datasetId, string jobId);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Dataset {DatasetId} ({DatasetName}) registered: {TrainRows} train, {ValidationRows} validation, {TestRows} test rows")]
    public static partial void DatasetRegistered(this ILogger logger, string datasetId, string datasetName, long trainRows, long validationRows, long testRows);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) queued on dataset {DatasetId}")]
    public static partial void JobQueued(this ILogger logger, string jobId, string kind, string datasetId);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) started")]
    public static partial void JobStarted(this ILogger logger, string jobId, string kind);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Job {JobId} succeeded in {Seconds:F1} s with version {VersionId}")]
    public static partial void JobSucceeded(this ILogger logger, string jobId, double seconds, string versionId);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Job {JobId} failed: {Reason}")]
    public static partial void JobFailed(this ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "Job {JobId} failed unexpectedly")]
    public static partial void JobCrashed(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "Job {JobId} ended as {State}: {Reason}")]
    public static partial void JobStopped(this ILogger logger, string jobId, string state, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Job {JobId} was {State} when the server last stopped; marked interrupted")]
    public static partial void JobInterrupted(this ILogger logger, string jobId, string state);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "Job {JobId} event {Sequence}: {Phase} {Fraction:P0} {Message}")]
    public static partial void JobProgress(this ILogger logger, string jobId, long sequence, string phase, double fraction, string message);

    [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "Job {JobId} cancellation requested")]
    public static partial void JobCancelRequested(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 309, Level = LogLevel.Error, Message = "Storing events of job {JobId} failed")]
    public static partial void JobEventsNotStored(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Call {Method} rejected with {StatusCode}: {Detail}")]
    public static partial void CallRejected(this ILogger logger, string method, string statusCode, string detail);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Call {Method} failed unexpectedly")]
    public static partial void CallFailed(this ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Counterfactual set {SetId} of dataset {DatasetName} generated with {RowCount} row pairs, requested by {RequestedBy}")]
    public static partial void CounterfactualSetGenerated(this ILogger logger, string setId, string datasetName, long rowCount, string requestedBy);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Counterfactual set {SetId} {Status} by {Reviewer}")]
    public static partial void CounterfactualSetReviewed(this ILogger logger, string setId, string status, string reviewer);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Demo counterfactual set {SetId} of dataset {DatasetName} generated and approved")]
    public static partial void DemoCounterfactualSetSeeded(this ILogger logger, string setId, string datasetName);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Counterfactual set {SetId} is approved in its row, but the audit trail records no approval by {Reviewer} of artifact {ArtifactSha256}; the set was not used")]
    public static partial void CounterfactualApprovalNotRecorded(this ILogger logger, string setId, string reviewer, string artifactSha256);

    [LoggerMessage(EventId = 503, Level = LogLevel.Error, Message = "Seeding the demo counterfactual set of dataset {DatasetName} failed")]
    public static partial void DemoCounterfactualSetFailed(this ILogger logger, Exception exception, string datasetName);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "SQLite database {DatabasePath}, made before the server used migrations, adopted as migration {MigrationId}; tables created: {CreatedTables}")]
    public static partial void LegacyDatabaseAdopted(this ILogger logger, string databasePath, string migrationId, string createdTables);

    [LoggerMessage(EventId = 600, Level = LogLevel.Error, Message = "Appending the audit entry {Action} on {Subject} failed; the operation itself was kept")]
    public static partial void AuditAppendFailed(this ILogger logger, Exception exception, string action, string subject);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "The audit head file {HeadPath} does not match the audit table, so it is left as evidence and not advanced: {Mismatch}")]
    public static partial void AuditHeadMismatch(this ILogger logger, string headPath, string mismatch);

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "No users existed, so users {UserNames} were created with one API key each, written to {CredentialsPath} (mode 0600). "
        + "The dashboard password of user {AdminName}, shown only this once: {AdminPassword}")]
    public static partial void AccessBootstrapped(this ILogger logger, string userNames, string credentialsPath, string adminName, string adminPassword);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Users exist already, so no first users were created")]
    public static partial void AccessBootstrapSkipped(this ILogger logger);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Calls by {Caller} exceed the rate limit of {PermitsPerSecond} a second with bursts of {Burst}, "
        + "so they get RESOURCE_EXHAUSTED, starting with {Method}; logged once until a call is allowed again")]
    public static partial void CallerRateLimited(this ILogger logger, string caller, string method, double permitsPerSecond, int burst);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Sign-in for user name {UserName} is locked until {LockedUntil} after {Failures} failed sign-ins "
        + "within {WindowSeconds} s; sign-ins of that name get RESOURCE_EXHAUSTED until then")]
    public static partial void SignInLocked(this ILogger logger, string userName, string lockedUntil, int failures, int windowSeconds);
}
