using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>Overview: the datasets, models and versions on the compute server with their test-split fairness.</summary>
public sealed partial class Home : ComputePage
{
    private IReadOnlyList<CatalogRow> _rows = [];
    private bool _loading = true;
    private string? _error;

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        await CallComputeAsync(
            async cancellationToken => _rows = CatalogRows.Join(await Catalog.GetSnapshotAsync(cancellationToken)),
            message =>
            {
                _rows = [];
                _error = message;
            });
        _loading = false;
    }

    /// <summary>
    /// Returns an id shortened for the screen: its first 8 and last 4 characters. Ids made by the server start
    /// with their creation time, so ids made within a minute share the first 8 characters. The random end
    /// distinguishes them.
    /// </summary>
    internal static string ShortId(string id) => id.Length <= 13 ? id : $"{id[..8]}…{id[^4..]}";

    private static string FormatTime(DateTimeOffset? time) =>
        time is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-";
}
