using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Models;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps stored models and model versions to proto.</summary>
internal static class VersionMapper
{
    public static Proto.Model ToProto(this ModelRow row) => new()
    {
        Id = row.Id,
        Name = row.Name,
        DatasetId = row.DatasetId,
        Settings = Proto.ModelSettings.Parser.ParseFrom(row.Settings),
        CreatedAt = row.CreatedAt.ToTimestamp(),
    };

    public static Proto.ModelVersion ToProto(this ModelVersionRow row)
    {
        var version = new Proto.ModelVersion
        {
            Id = row.Id,
            ModelId = row.ModelId,
            ParentVersionId = row.ParentVersionId ?? "",
            JobId = row.JobId,
            CreatedAt = row.CreatedAt.ToTimestamp(),
            WeightsSha256 = row.WeightsSha256,
            TestReport = VersionReportIntervals.Read(row.TestReport),
            RemovedSampleCount = row.RemovedSampleCount,
        };
        var spec = ModelSpec.FromJson(row.SpecJson);
        version.Layers.AddRange(spec.Layers.Select(l => new Proto.LayerInfo { Name = l.Name, ParameterCount = l.ParameterCount }));
        return version;
    }
}
