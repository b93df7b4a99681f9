using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages.Counterfactuals;

/// <summary>Lists counterfactual sets with their review decisions and generates new sets for review.</summary>
public sealed partial class CounterfactualSets : ComputePage
{
    private readonly GenerateForm _form = new();
    private CatalogSnapshot _snapshot = CatalogSnapshot.Empty;
    private IReadOnlyList<CounterfactualSet> _sets = [];
    private CounterfactualSetStatus? _status;
    private bool _loading = true;
    private bool _generating;
    private bool _generateAttempted;
    private string? _error;

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    [Inject]
    private IComputeCounterfactuals Counterfactuals { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    private SignedInUser _user = SignedInUser.Anonymous;

    /// <summary>Why the signed-in user cannot generate sets, or null for an ML engineer.</summary>
    private string? GenerateDeniedReason => _user.IsEngineer
        ? null
        : $"Only ML engineers can generate counterfactual sets; you are signed in as {_user.Describe()}.";

    private Dataset? SelectedDataset => _snapshot.Datasets.FirstOrDefault(d => d.Id == _form.DatasetId);

    private string? RequesterError => string.IsNullOrWhiteSpace(_form.RequestedBy) ? "The signed-in user has no name; sign in again." : null;

    private string? MaxRowsError => _form.MaxRows is < 1 or > 1_000_000 ? "Maximum rows must be between 1 and 1,000,000." : null;

    private string? SensitiveMapError => ValueMapText.ParsePairs(_form.SensitiveMap).Error;

    private string? ProxyMapsError => ValueMapText.ParseColumns(_form.ProxyMaps).Error;

    protected override async Task OnInitializedAsync()
    {
        _user = await SignedInUser.FromAsync(AuthenticationState);
        _form.RequestedBy = _user.Name;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        await CallComputeAsync(
            async cancellationToken =>
            {
                _snapshot = await Catalog.GetSnapshotAsync(cancellationToken);
                _sets = await Counterfactuals.ListAsync(null, _status, cancellationToken);
                if (SelectedDataset is null && _snapshot.Datasets.Count > 0)
                    OnDatasetChanged(_snapshot.Datasets[0].Id);
            },
            message => _error = message);
        _loading = false;
    }

    private Task OnStatusChanged(CounterfactualSetStatus? status)
    {
        _status = status;
        return LoadAsync();
    }

    private void OnDatasetChanged(string datasetId)
    {
        _form.DatasetId = datasetId;
        _form.SensitiveMap = ValueMapText.DefaultSensitiveMap(SelectedDataset?.Groups ?? []);
    }

    private async Task GenerateAsync()
    {
        _generateAttempted = true;
        var (sensitiveMap, _) = ValueMapText.ParsePairs(_form.SensitiveMap);
        var (proxyMaps, _) = ValueMapText.ParseColumns(_form.ProxyMaps);
        if (GenerateDeniedReason is not null || SelectedDataset is null || RequesterError is not null || MaxRowsError is not null || sensitiveMap is null || proxyMaps is null)
        {
            Snackbar.Add("Fix the marked fields before generating.", Severity.Warning);
            return;
        }

        var request = new GenerateCounterfactualSetRequest
        {
            Dataset = SelectedDataset.Id,
            RequestedBy = _form.RequestedBy.Trim(),
            MaxRows = _form.MaxRows,
            SensitiveValueMap = { sensitiveMap },
        };
        foreach (var (column, map) in proxyMaps)
            request.ProxyMaps.Add(new ColumnValueMap { Column = column, Values = { map } });

        _generating = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                var set = await Counterfactuals.GenerateAsync(request, cancellationToken);
                Navigation.NavigateTo($"/counterfactuals/{Uri.EscapeDataString(set.Id)}");
            },
            message => Snackbar.Add(message, Severity.Error));
        _generating = false;
    }

    private string DatasetName(string datasetId) =>
        _snapshot.Datasets.FirstOrDefault(d => d.Id == datasetId) is { } dataset ? CatalogRows.DatasetName(dataset) : datasetId;

    internal static string DescribeDecision(CounterfactualSet set)
    {
        if (set.Status == CounterfactualSetStatus.Pending)
            return "awaiting review";

        if (set.Status == CounterfactualSetStatus.Withdrawn)
        {
            string review = string.IsNullOrEmpty(set.ReviewedBy) ? "" : $"; reviewed earlier by {set.ReviewedBy} on {FormatTime(set.ReviewedAt)}";
            return $"withdrawn by erasure {set.WithdrawnByErasureId} on {FormatTime(set.WithdrawnAt)}, because it copied erased rows{review}";
        }

        string verb = set.Status == CounterfactualSetStatus.Approved ? "approved" : "rejected";
        string comment = string.IsNullOrEmpty(set.ReviewComment) ? "" : $": \u201c{set.ReviewComment}\u201d";
        return $"{verb} by {set.ReviewedBy} on {FormatTime(set.ReviewedAt)}{comment}";
    }

    internal static string FormatTime(Timestamp? time) =>
        time is null ? "-" : time.ToDateTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private sealed class GenerateForm
    {
        public string? DatasetId { get; set; }

        public string RequestedBy { get; set; } = "";

        public int MaxRows { get; set; } = 2000;

        public string SensitiveMap { get; set; } = "";

        public string ProxyMaps { get; set; } = "";
    }
}
