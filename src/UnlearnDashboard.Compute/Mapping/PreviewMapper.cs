using UnlearnDashboard.Engine.Data;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>
/// Maps the engine's dataset preview to proto, with at most <see cref="MaxColumns"/> columns and names and values cut
/// to <see cref="MaxTextLength"/> characters, so that any file's preview stays far below gRPC's 4 MiB message limit.
/// </summary>
internal static class PreviewMapper
{
    public const int MaxColumns = 1000;

    public const int MaxTextLength = 200;

    public static Proto.DatasetPreview ToProto(this DatasetPreview preview) => new()
    {
        FileName = preview.Source,
        Format = preview.Format == TableFormat.Parquet ? "parquet" : "csv",
        RowCount = preview.RowCount,
        Columns = { preview.Columns.Take(MaxColumns).Select(ToProto) },
        OmittedColumnCount = Math.Max(0, preview.Columns.Count - MaxColumns),
    };

    private static Proto.ColumnPreview ToProto(ColumnPreview column)
    {
        var proto = new Proto.ColumnPreview
        {
            Name = Cut(column.Name),
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

    private static Proto.ValueCount ToProto(ValueCount value) => new() { Value = Cut(value.Value), Count = value.Count };

    private static string Cut(string text) => text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength), "…");
}
