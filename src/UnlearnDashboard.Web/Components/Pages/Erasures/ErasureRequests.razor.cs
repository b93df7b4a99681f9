using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages.Erasures;

/// <summary>
/// Erasure certificates, newest first, and the form with which a compliance officer requests the erasure of training rows
/// from a model version. Submitting opens the erase job's live view.
/// </summary>
public sealed partial class ErasureRequests : ComputePage
{
    private IReadOnlyList<ErasureCertificate> _certificates = [];
    private IReadOnlyList<VersionChoice> _versionChoices = [];
    private Dictionary<string, string> _datasetNames = [];
    private bool _loading = true;
    private string? _error;
    private SignedInUser _user = SignedInUser.Anonymous;

    private string? _versionId;
    private bool _byKeyColumn;
    private string _rowIds = "";
    private string _keyColumn = "";
    private string _keyValues = "";
    private string _layers = "";
    private string _reason = "";
    private bool _skipRetrain;
    private bool _showErrors;
    private bool _submitting;

    /// <summary>Version to preselect in the form, from <c>?version=ID</c>.</summary>
    [SupplyParameterFromQuery(Name = "version")]
    public string? Version { get; set; }

    [Inject]
    private IComputeErasures ErasureService { get; set; } = default!;

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    private string? VersionError => string.IsNullOrEmpty(_versionId) ? "Choose the model version to erase the rows from." : null;

    private string? RowIdsError => _byKeyColumn ? null : ParseRowIds(_rowIds).Error;

    private string? KeyColumnError => _byKeyColumn && string.IsNullOrWhiteSpace(_keyColumn) ? "Enter the key column, for example customer_id." : null;

    private string? KeyValuesError => !_byKeyColumn ? null
        : SplitList(_keyValues) is { Count: 0 } ? "Enter at least one key value."
        : SplitList(_keyValues).GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? $"Key value '{twice.Key}' is entered twice; enter each value once."
            : null;

    private string? LayersError => SplitList(_layers).FirstOrDefault(layer => !LayerName().IsMatch(layer)) is { } bad
        ? $"Layer '{bad}' is not a layer name; use names such as fc2 and fc3, or leave the field empty for the last layer."
        : null;

    private bool HasErrors => VersionError is not null || RowIdsError is not null || KeyColumnError is not null
        || KeyValuesError is not null || LayersError is not null;

    protected override async Task OnInitializedAsync()
    {
        _user = await SignedInUser.FromAsync(AuthenticationState);
        _versionId = Version;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        await CallComputeAsync(
            async cancellationToken =>
            {
                var snapshot = await Catalog.GetSnapshotAsync(cancellationToken);
                _datasetNames = snapshot.Datasets.ToDictionary(dataset => dataset.Id, CatalogRows.DatasetName);
                _versionChoices = CatalogRows.Join(snapshot)
                    .Where(row => row.VersionId is not null)
                    .Select(row => new VersionChoice(row.VersionId!, $"{row.Dataset} · {row.ModelName ?? "?"} · {Home.ShortId(row.VersionId!)}"))
                    .ToList();
                _certificates = await ErasureService.ListAsync(null, cancellationToken);
            },
            message => _error = message);
        _loading = false;
    }

    private string DatasetName(string datasetId) => _datasetNames.GetValueOrDefault(datasetId, datasetId);

    private async Task SubmitAsync()
    {
        _showErrors = true;
        if (HasErrors)
            return;

        var request = new ErasureRequest { ModelVersionId = _versionId!, SkipRetrain = _skipRetrain, Reason = _reason.Trim() };
        if (_byKeyColumn)
        {
            request.KeyColumn = _keyColumn.Trim();
            request.KeyValues.AddRange(SplitList(_keyValues));
        }
        else
        {
            request.RowIds.AddRange(ParseRowIds(_rowIds).Ids);
        }

        request.Layers.AddRange(SplitList(_layers));

        _submitting = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                var job = await ErasureService.SubmitAsync(request, cancellationToken);
                Navigation.NavigateTo($"/jobs/{Uri.EscapeDataString(job.Id)}");
            },
            message => Snackbar.Add(message, Severity.Error));
        _submitting = false;
    }

    /// <summary>
    /// Parses comma-separated row ids. The error names the first value that is not a whole number of at least 0 or
    /// that is entered twice, because the server rejects both.
    /// </summary>
    internal static (IReadOnlyList<long> Ids, string? Error) ParseRowIds(string text)
    {
        var parts = SplitList(text);
        if (parts.Count == 0)
            return ([], "Enter at least one row id.");

        var ids = new List<long>();
        var seen = new HashSet<long>();
        foreach (string part in parts)
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                return ([], $"Row id '{part}' is not a whole number of at least 0.");
            if (!seen.Add(id))
                return ([], $"Row id {id} is entered twice; enter each row once.");
            ids.Add(id);
        }

        return (ids, null);
    }

    private static List<string> SplitList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    [GeneratedRegex("^fc[1-9][0-9]*$")]
    private static partial Regex LayerName();

    /// <summary>A model version the form offers, with its dataset, model and short id.</summary>
    private sealed record VersionChoice(string Id, string Label);
}
