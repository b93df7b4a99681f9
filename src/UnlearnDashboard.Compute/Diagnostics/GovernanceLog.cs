using Microsoft.Extensions.Logging;

namespace UnlearnDashboard.Compute.Diagnostics;

// 710-714: erasures; 720-722: version promotion and release gates (700-702, the first users and rate limits, are in ComputeLog.cs).
internal static partial class ComputeLog
{
    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Version {VersionId} promoted to {Alias} of model {ModelId}; previous {PreviousVersionId}")]
    public static partial void VersionPromoted(this ILogger logger, string versionId, string alias, string modelId, string previousVersionId);

    [LoggerMessage(EventId = 721, Level = LogLevel.Information, Message = "Promotion of version {VersionId} to champion rejected by the release gate: {FailedRules}")]
    public static partial void PromotionRejected(this ILogger logger, string versionId, string failedRules);

    [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "Release gate of model {ModelId} set: min disparate impact ratio {MinRatio}, max accuracy drop {MaxDrop}")]
    public static partial void ReleaseGateSet(this ILogger logger, string modelId, string minRatio, string maxDrop);

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Erasure {ErasureId} of {RowCount} rows committed: version {NewVersionId}, dataset {DatasetId} now at version {DatasetVersion}")]
    public static partial void ErasureCommitted(this ILogger logger, string erasureId, int rowCount, string newVersionId, string datasetId, int datasetVersion);

    [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Erased dataset file or withdrawn counterfactual set file {Sha256} was not deleted")]
    public static partial void ErasedFileNotDeleted(this ILogger logger, Exception exception, string sha256);

    [LoggerMessage(EventId = 712, Level = LogLevel.Information, Message = "Dataset {DatasetId} has no test file, so the erasure wrote its {TestRows} test split rows as test file {Sha256}")]
    public static partial void TestSplitFrozen(this ILogger logger, string datasetId, int testRows, string sha256);

    [LoggerMessage(EventId = 713, Level = LogLevel.Information, Message = "Counterfactual set {SetId} withdrawn by erasure {ErasureId}: it copied {RowCount} erased rows")]
    public static partial void CounterfactualSetWithdrawn(this ILogger logger, string setId, string erasureId, int rowCount);

    [LoggerMessage(EventId = 714, Level = LogLevel.Information, Message = "Job {JobId} rejected at {Stage}: counterfactual set {SetId} is {Status}")]
    public static partial void CounterfactualSetNoLongerUsable(this ILogger logger, string jobId, string stage, string setId, string status);
}
