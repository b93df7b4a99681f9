using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Counterfactuals;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps counterfactual specs and sets between proto, engine and storage.</summary>
internal static class CounterfactualMapper
{
    /// <summary>
    /// Checks the request's fields that the engine cannot and converts it to an engine spec on
    /// <paramref name="sensitiveColumn"/>; the engine checks columns and levels when it generates the set.
    /// </summary>
    public static CounterfactualSpec ToEngineSpec(this Proto.GenerateCounterfactualSetRequest request, string sensitiveColumn)
    {
        if (request.SensitiveValueMap.Count == 0)
        {
            throw RpcErrors.InvalidArgument("sensitive_value_map",
                $"sensitive_value_map is empty; map each value of {sensitiveColumn} to the value its counterfactual takes, for example Male to Female and Female to Male.");
        }

        if (request.HasMaxRows && request.MaxRows is < 1 or > CounterfactualSpec.MaxRowsLimit)
        {
            throw RpcErrors.InvalidArgument("max_rows",
                $"max_rows must be in [1, {CounterfactualSpec.MaxRowsLimit}]; got {request.MaxRows}.");
        }

        if (request.Seed > int.MaxValue)
            throw RpcErrors.InvalidArgument("seed", $"seed must be at most {int.MaxValue}; got {request.Seed}.");

        for (int i = 0; i < request.ProxyMaps.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.ProxyMaps[i].Column))
                throw RpcErrors.InvalidArgument($"proxy_maps[{i}].column", $"proxy_maps[{i}].column is empty; name the proxy column.");
            if (request.ProxyMaps[i].Values.Count == 0)
            {
                throw RpcErrors.InvalidArgument($"proxy_maps[{i}].values",
                    $"proxy_maps[{i}].values is empty; map at least one value of {request.ProxyMaps[i].Column}.");
            }
        }

        return new CounterfactualSpec
        {
            SensitiveColumn = sensitiveColumn,
            SensitiveMap = new Dictionary<string, string>(request.SensitiveValueMap),
            ProxyMaps = request.ProxyMaps.Select(m => new ColumnValueMap(m.Column, new Dictionary<string, string>(m.Values))).ToList(),
            MaxRows = request.HasMaxRows ? request.MaxRows : CounterfactualSpec.DefaultMaxRows,
            Seed = (int)request.Seed,
            Source = request.ExternalRowsCsv.IsEmpty ? CounterfactualSource.TrainingRows : CounterfactualSource.ExternalRows,
        };
    }

    /// <summary>Converts an engine spec to the request that generates the same set.</summary>
    public static Proto.GenerateCounterfactualSetRequest ToProto(this CounterfactualSpec spec, string datasetId, string requestedBy)
    {
        var request = new Proto.GenerateCounterfactualSetRequest
        {
            Dataset = datasetId,
            MaxRows = spec.MaxRows,
            Seed = (uint)spec.Seed,
            RequestedBy = requestedBy,
        };
        request.SensitiveValueMap.Add(new Dictionary<string, string>(spec.SensitiveMap));
        foreach (var proxy in spec.ProxyMaps)
        {
            var map = new Proto.ColumnValueMap { Column = proxy.Column };
            map.Values.Add(new Dictionary<string, string>(proxy.Values));
            request.ProxyMaps.Add(map);
        }

        return request;
    }

    public static Proto.CounterfactualSet ToProto(this CounterfactualSetRow row)
    {
        var set = new Proto.CounterfactualSet
        {
            Id = row.Id,
            DatasetId = row.DatasetId,
            Status = (Proto.CounterfactualSetStatus)row.Status,
            RequestedBy = row.RequestedBy,
            CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
            Spec = Proto.GenerateCounterfactualSetRequest.Parser.ParseFrom(row.Spec),
            Source = row.Source,
            ArtifactSha256 = row.ArtifactSha256,
            RowCount = row.RowCount,
            ChangedCellCount = row.ChangedCellCount,
            Columns = { JsonSerializer.Deserialize<List<string>>(row.ColumnsJson) ?? [] },
            MappedColumns = { JsonSerializer.Deserialize<List<string>>(row.MappedColumnsJson) ?? [] },
            ReviewedBy = row.ReviewedBy ?? "",
            ReviewComment = row.ReviewComment ?? "",
            DatasetVersion = row.DatasetVersion ?? 0,
            WithdrawnByErasureId = row.WithdrawnByErasureId ?? "",
        };
        if (row.ReviewedAt is { } reviewedAt)
            set.ReviewedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(reviewedAt, DateTimeKind.Utc));
        if (row.WithdrawnAt is { } withdrawnAt)
            set.WithdrawnAt = Timestamp.FromDateTime(DateTime.SpecifyKind(withdrawnAt, DateTimeKind.Utc));
        return set;
    }
}
