using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary>Lowercase status names of counterfactual sets, as the CLI shows and accepts them, and the text form of a set.</summary>
internal static class CounterfactualText
{
    public static readonly string[] StatusNames = ["pending", "approved", "rejected", "withdrawn"];

    public static string Status(CounterfactualSetStatus status) => status switch
    {
        CounterfactualSetStatus.Pending => "pending",
        CounterfactualSetStatus.Approved => "approved",
        CounterfactualSetStatus.Rejected => "rejected",
        CounterfactualSetStatus.Withdrawn => "withdrawn",
        _ => "unspecified",
    };

    /// <summary>Returns the status for a name from <see cref="StatusNames"/>, or Unspecified (no filter) for null.</summary>
    public static CounterfactualSetStatus ParseStatus(string? name) => name switch
    {
        null => CounterfactualSetStatus.Unspecified,
        "pending" => CounterfactualSetStatus.Pending,
        "approved" => CounterfactualSetStatus.Approved,
        "rejected" => CounterfactualSetStatus.Rejected,
        "withdrawn" => CounterfactualSetStatus.Withdrawn,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown counterfactual set status."),
    };

    /// <summary>Formats a value map as "FROM=TO, FROM=TO", sorted by the original value so that the output is stable.</summary>
    public static string Pairs(IEnumerable<KeyValuePair<string, string>> values) =>
        string.Join(", ", values.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));

    /// <summary>
    /// Returns the spec's maps as "COLUMN: FROM=TO, ..." lines, the sensitive column first. The spec stores the sensitive
    /// map without its column, so <paramref name="mappedColumns"/> (the set's mapped columns, sensitive first) names it.
    /// </summary>
    public static IEnumerable<string> Maps(GenerateCounterfactualSetRequest? spec, IReadOnlyList<string> mappedColumns)
    {
        if (spec is null)
            yield break;

        if (spec.SensitiveValueMap.Count > 0)
            yield return $"{(mappedColumns.Count > 0 ? mappedColumns[0] : "sensitive column")}: {Pairs(spec.SensitiveValueMap)}";
        foreach (var proxy in spec.ProxyMaps)
            yield return $"{proxy.Column}: {Pairs(proxy.Values)}";
    }

    /// <summary>Writes a set's metadata, one field a line.</summary>
    public static void WriteSet(CounterfactualSet set, TextWriter writer)
    {
        writer.WriteLine($"set:              {set.Id}");
        writer.WriteLine($"dataset:          {set.DatasetId} version {set.DatasetVersion}");
        writer.WriteLine($"status:           {Status(set.Status)}");
        writer.WriteLine($"requested by:     {Formats.OrDash(set.RequestedBy)} at {Formats.Time(set.CreatedAt)}");
        writer.WriteLine($"source:           {Formats.OrDash(set.Source)}");
        writer.WriteLine($"row pairs:        {Formats.Count(set.RowCount)}, {Formats.Count(set.ChangedCellCount)} changed cells");

        var maps = Maps(set.Spec, set.MappedColumns).ToList();
        writer.WriteLine($"maps:             {(maps.Count == 0 ? "-" : maps[0])}");
        foreach (string map in maps.Skip(1))
            writer.WriteLine($"                  {map}");

        if (set.Spec is { } spec)
            writer.WriteLine($"max rows, seed:   {(spec.HasMaxRows ? Formats.Count(spec.MaxRows) : "default")}, {spec.Seed}");
        writer.WriteLine($"artifact sha256:  {Formats.OrDash(set.ArtifactSha256)}");
        if (set.ReviewedBy.Length > 0)
        {
            writer.WriteLine($"reviewed by:      {set.ReviewedBy} at {Formats.Time(set.ReviewedAt)}");
            writer.WriteLine($"comment:          {Formats.OrDash(set.ReviewComment)}");
        }

        if (set.Status == CounterfactualSetStatus.Withdrawn)
            writer.WriteLine($"withdrawn by:     erasure {set.WithdrawnByErasureId} at {Formats.Time(set.WithdrawnAt)}");
    }
}
