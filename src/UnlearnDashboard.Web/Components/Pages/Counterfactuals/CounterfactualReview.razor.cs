using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages.Counterfactuals;

/// <summary>
/// One counterfactual set: its details, its row pairs with the changed cells marked, and the approve or reject
/// decision. The compute server enforces the four-eyes rule; the page only explains it ahead of time.
/// </summary>
public sealed partial class CounterfactualReview : ComputePage
{
    private const int PageSize = 100;

    private readonly List<CounterfactualRowPair> _rows = [];
    private CounterfactualSet? _set;
    private string _nextPageToken = "";
    private bool _loading = true;
    private bool _loadingMore;
    private bool _reviewing;
    private string? _error;
    private string _reviewer = "";
    private string _comment = "";
    private string _labelFilter = "any";
    private string _textFilter = "";
    private bool _changedColumnsOnly;

    [Inject]
    private IComputeCounterfactuals Counterfactuals { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Parameter]
    public string SetId { get; set; } = "";

    private SignedInUser _user = SignedInUser.Anonymous;

    /// <summary>Why the signed-in user cannot decide on the set, or null when they can.</summary>
    private string? ReviewerError =>
        !_user.IsCompliance ? $"Only compliance officers can approve or reject sets; you are signed in as {_user.Describe()}."
        : string.IsNullOrWhiteSpace(_reviewer) ? "The signed-in user has no name; sign in again."
        : _set is not null && string.Equals(_reviewer.Trim(), _set.RequestedBy, StringComparison.OrdinalIgnoreCase) ? $"{_set.RequestedBy} requested this set, so someone else must review it (four-eyes rule)."
        : null;

    protected override async Task OnInitializedAsync()
    {
        _user = await SignedInUser.FromAsync(AuthenticationState);
        _reviewer = _user.Name;
    }

    private IReadOnlyList<int> VisibleColumns
    {
        get
        {
            if (_set is null)
                return [];

            var mapped = _set.MappedColumns.ToHashSet(StringComparer.Ordinal);
            return Enumerable.Range(0, _set.Columns.Count)
                .Where(column => !_changedColumnsOnly || mapped.Contains(_set.Columns[column]))
                .ToList();
        }
    }

    private IReadOnlyList<CounterfactualRowPair> VisibleRows => _rows
        .Where(pair => _labelFilter == "any" || (pair.Label == 1) == (_labelFilter == "favourable"))
        .Where(pair => _textFilter.Length == 0 || pair.Original.Any(value => value.Contains(_textFilter, StringComparison.OrdinalIgnoreCase)))
        .ToList();

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        _error = null;
        _rows.Clear();
        await CallComputeAsync(
            async cancellationToken =>
            {
                var page = await Counterfactuals.GetAsync(SetId, "", PageSize, cancellationToken);
                _set = page.Set;
                _rows.AddRange(page.Rows);
                _nextPageToken = page.NextPageToken;
            },
            message => _error = message);
        _loading = false;
    }

    private async Task LoadMoreAsync()
    {
        _loadingMore = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                var page = await Counterfactuals.GetAsync(SetId, _nextPageToken, PageSize, cancellationToken);
                _rows.AddRange(page.Rows);
                _nextPageToken = page.NextPageToken;
            },
            message => Snackbar.Add(message, Severity.Error));
        _loadingMore = false;
    }

    private Task ApproveAsync() =>
        ReviewAsync(cancellationToken => Counterfactuals.ApproveAsync(SetId, _reviewer.Trim(), _comment.Trim(), cancellationToken), "approved");

    private Task RejectAsync() =>
        ReviewAsync(cancellationToken => Counterfactuals.RejectAsync(SetId, _reviewer.Trim(), _comment.Trim(), cancellationToken), "rejected");

    private async Task ReviewAsync(Func<CancellationToken, Task<CounterfactualSet>> call, string outcome)
    {
        _reviewing = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                _set = await call(cancellationToken);
                Snackbar.Add($"Set {Home.ShortId(SetId)} {outcome}.", Severity.Success);
            },
            message => Snackbar.Add(message, Severity.Error));
        _reviewing = false;
    }

    private static string DescribeMaps(CounterfactualSet set)
    {
        var maps = new List<string>();
        if (set.Spec is { } spec)
        {
            maps.Add($"{set.MappedColumns.FirstOrDefault()}: {Pairs(spec.SensitiveValueMap)}");
            maps.AddRange(spec.ProxyMaps.Select(m => $"{m.Column}: {Pairs(m.Values)}"));
        }

        return string.Join("; ", maps);
    }

    private static string Pairs(IDictionary<string, string> map) =>
        string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} \u2192 {p.Value}"));
}
