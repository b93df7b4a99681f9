using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>The audit trail, filterable by actor, action and subject, with a check of the whole hash chain.</summary>
public sealed partial class AuditLog : ComponentBase, IDisposable
{
    private const int PageSize = 100;

    private readonly CancellationTokenSource _disposed = new();
    private readonly List<AuditEntry> _entries = [];
    private string _nextPageToken = "";
    private string _actor = "";
    private string _action = "";
    private string _subject = "";
    private bool _loading = true;
    private bool _verifying;
    private string? _error;
    private VerifyAuditChainResponse? _check;

    [Inject]
    private IComputeAudit Audit { get; set; } = default!;

    protected override Task OnInitializedAsync() => SearchAsync();

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task SearchAsync()
    {
        _entries.Clear();
        _nextPageToken = "";
        _loading = true;
        await LoadPageAsync();
        _loading = false;
    }

    private Task LoadMoreAsync() => LoadPageAsync();

    private async Task LoadPageAsync()
    {
        _error = null;
        try
        {
            var page = await Audit.ListAsync(new ListAuditEntriesRequest
            {
                Actor = _actor.Trim(),
                Action = _action.Trim(),
                Subject = _subject.Trim(),
                PageSize = PageSize,
                PageToken = _nextPageToken,
            }, _disposed.Token);
            _entries.AddRange(page.Entries);
            _nextPageToken = page.NextPageToken;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The user left the page while it loaded.
        }
        catch (ComputeUnavailableException exception)
        {
            _error = exception.Message;
        }
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        try
        {
            _check = await Audit.VerifyAsync(_disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The user left the page while the chain was checked.
        }
        catch (ComputeUnavailableException exception)
        {
            _error = exception.Message;
        }
        finally
        {
            _verifying = false;
        }
    }
}
