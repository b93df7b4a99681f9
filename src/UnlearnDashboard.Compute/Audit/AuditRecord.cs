using System.Text.Json;

namespace UnlearnDashboard.Compute.Audit;

/// <summary>
/// What an audit entry records: who did what to which subject. <see cref="Details"/> contains ids, hashes and counts,
/// never row data.
/// </summary>
public sealed record AuditRecord(string Actor, string Action, string Subject, IReadOnlyDictionary<string, object?> Details)
{
    private static readonly JsonSerializerOptions DetailsJsonOptions = new() { WriteIndented = false };

    /// <summary>Returns the details as JSON with keys in ordinal order, so the same details always give the same JSON.</summary>
    public string DetailsJson() =>
        JsonSerializer.Serialize(new SortedDictionary<string, object?>(Details.ToDictionary(), StringComparer.Ordinal), DetailsJsonOptions);
}
