using Microsoft.Extensions.Logging;

namespace UnlearnDashboard.Compute.Interop;

/// <summary>Log messages of model import and export, event ids 600 to 699.</summary>
internal static partial class InteropLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information,
        Message = "Model {ModelId} ({ModelName}) imported from {Source} ({Format}) on dataset {DatasetId} as version {VersionId}")]
    public static partial void ModelImported(this ILogger logger, string modelId, string modelName, string source, string format, string datasetId, string versionId);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Version {VersionId} exported as {Bytes} bytes of safetensors")]
    public static partial void VersionExported(this ILogger logger, string versionId, long bytes);
}
