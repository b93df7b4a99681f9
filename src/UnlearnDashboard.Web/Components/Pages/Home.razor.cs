using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>Placeholder home page: the datasets and model versions on the compute server.</summary>
public sealed partial class Home : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<CatalogRow> _rows = [];
    private bool _loading = true;
    private string? _error;

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    protected override Task OnInitializedAsync() => LoadAsync();

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        try
        {
            _rows = await Catalog.ListVersionsAsync(_disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The user left the page while it loaded.
        }
        catch (ComputeUnavailableException exception)
        {
            _rows = [];
            _error = exception.Message;
        }
        finally
        {
            _loading = false;
        }
    }

    private static string FormatMetric(double? value) =>
        value is { } number ? number.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";

    private static string FormatTime(DateTimeOffset? time) =>
        time is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-";
}
