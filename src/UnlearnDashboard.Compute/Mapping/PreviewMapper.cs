using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps the engine's dataset preview to proto.</summary>
internal static class PreviewMapper
{
    public static Proto.DatasetPreview ToProto(this DatasetPreview preview) => new()
    {
        FileName = preview.Source,
        Format = preview.Format == TableFormat.Parquet ? "parquet" : "csv",
        RowCount = preview.RowCount,
        Columns = { preview.Columns.Select(ToProto) },
    };

    private static Proto.ColumnPreview ToProto(ColumnPreview column)
    {
        var proto = new Proto.ColumnPreview
        {
            Name = column.Name,
            Kind = column.Kind,
            StorageType = column.StorageType ?? "",
            MissingCount = column.MissingCount,
            DistinctCount = column.DistinctCount,
            TopValues = { column.TopValues.Select(ToProto) },
            SensitiveReason = column.SensitiveReason ?? "",
            LabelReason = column.LabelReason ?? "",
            LabelValues = { column.LabelValues.Select(ToProto) },
        };
        if (column.Min is { } min)
            proto.Min = min;
        if (column.Max is { } max)
            proto.Max = max;
        return proto;
    }

    private static Proto.ValueCount ToProto(ValueCount value) => new() { Value = value.Value, Count = value.Count };
}
