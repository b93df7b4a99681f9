using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>The audit trail, filterable by actor, action and subject, with a check of the whole hash chain.</summary>
public sealed partial class AuditLog : ComputePage
{
    private const int PageSize = 100;

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
        var request = new ListAuditEntriesRequest
        {
            Actor = _actor.Trim(),
            Action = _action.Trim(),
            Subject = _subject.Trim(),
            PageSize = PageSize,
            PageToken = _nextPageToken,
        };
        await CallComputeAsync(
            async cancellationToken =>
            {
                var page = await Audit.ListAsync(request, cancellationToken);
                _entries.AddRange(page.Entries);
                _nextPageToken = page.NextPageToken;
            },
            message => _error = message);
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        await CallComputeAsync(async cancellationToken => _check = await Audit.VerifyAsync(cancellationToken), message => _error = message);
        _verifying = false;
    }
}
