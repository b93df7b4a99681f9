using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Versions;

namespace UnlearnDashboard.Web.Components.Pages.Versions;

/// <summary>
/// One model's versions as a lineage tree with their metrics and recorded gate verdicts, its aliases and its
/// release gate. Compliance officers promote versions, roll back by promoting an older one, and edit the gate.
/// The compute server checks the gate and the role again on every call.
/// </summary>
public sealed partial class ModelVersions : ComputePage
{
    private static readonly DialogOptions DialogOptions = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };

    private Model? _model;
    private string _datasetName = "";
    private IReadOnlyList<VersionNode> _nodes = [];
    private IReadOnlyList<ModelAlias> _aliases = [];
    private ReleaseGate? _gate;
    private IReadOnlyList<ErasureCertificate> _erasures = [];
    private bool _loading = true;
    private string? _error;
    private SignedInUser _user = SignedInUser.Anonymous;

    private double? _gateMinRatio;
    private double? _gateMaxDrop;
    private bool _savingGate;

    private bool _confirming;
    private VersionNode? _pending;
    private string _pendingAlias = VersionTree.Champion;
    private string _reason = "";
    private bool _promoting;

    [Parameter, EditorRequired]
    public string ModelId { get; set; } = "";

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    [Inject]
    private IComputeVersions Versions { get; set; } = default!;

    [Inject]
    private IComputeErasures Erasures { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    private string? MinRatioError => FractionError(_gateMinRatio, "The minimum disparate impact ratio");

    private string? MaxDropError => FractionError(_gateMaxDrop, "The maximum accuracy drop");

    private string ConfirmTitle => _pending is null ? ""
        : _pendingAlias == VersionTree.Champion ? $"Promote version {Home.ShortId(_pending.Id)} to champion"
        : $"Mark version {Home.ShortId(_pending.Id)} as candidate";

    private string ConfirmAction => _pendingAlias == VersionTree.Champion ? "Promote" : "Mark as candidate";

    protected override async Task OnInitializedAsync() => _user = await SignedInUser.FromAsync(AuthenticationState);

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        await CallComputeAsync(LoadModelAsync, message => _error = message);
        _loading = false;
    }

    private async Task LoadModelAsync(CancellationToken cancellationToken)
    {
        var snapshot = await Catalog.GetSnapshotAsync(cancellationToken);
        _model = snapshot.Models.FirstOrDefault(model => model.Id == ModelId);
        if (_model is null)
        {
            _error = $"Model '{ModelId}' was not found. The overview lists the models.";
            return;
        }

        var dataset = snapshot.Datasets.FirstOrDefault(d => d.Id == _model.DatasetId);
        _datasetName = dataset is null ? _model.DatasetId : CatalogRows.DatasetName(dataset);
        var versions = snapshot.Versions.Where(version => version.ModelId == ModelId).ToList();
        var lineages = await Task.WhenAll(versions.Select(version => Versions.GetLineageAsync(version.Id, cancellationToken)));
        _nodes = VersionTree.Build(versions, lineages.ToDictionary(lineage => lineage.VersionId, StringComparer.Ordinal));
        _aliases = await Versions.ListAliasesAsync(ModelId, cancellationToken);
        _gate = await Versions.GetReleaseGateAsync(ModelId, cancellationToken);
        _erasures = await Erasures.ListAsync(_model.DatasetId, cancellationToken);
        _gateMinRatio = _gate.HasMinDisparateImpactRatio ? _gate.MinDisparateImpactRatio : null;
        _gateMaxDrop = _gate.HasMaxAccuracyDrop ? _gate.MaxAccuracyDrop : null;
    }

    private IReadOnlyList<string> AliasesOf(string versionId) =>
        _aliases.Where(alias => alias.VersionId == versionId).Select(alias => alias.Alias).Order(StringComparer.Ordinal).ToList();

    private string? VersionWithAlias(string alias) => _aliases.FirstOrDefault(a => a.Alias == alias)?.VersionId;

    private bool CanPromote(string versionId, string alias) =>
        _user.IsCompliance && !_promoting && VersionWithAlias(alias) != versionId;

    private void AskToPromote(VersionNode node, string alias)
    {
        _pending = node;
        _pendingAlias = alias;
        _reason = "";
        _confirming = true;
    }

    private void CancelPromotion()
    {
        _confirming = false;
        _pending = null;
    }

    private async Task PromoteAsync()
    {
        if (_pending is not { } pending)
            return;

        _promoting = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                var response = await Versions.PromoteAsync(pending.Id, _pendingAlias, _reason.Trim(), cancellationToken);
                Snackbar.Add($"Version {Home.ShortId(pending.Id)} is now the {response.Alias.Alias} of model {_model?.Name}.", Severity.Success);
            },
            message => Snackbar.Add(message, Severity.Error));
        _promoting = false;
        _confirming = false;
        _pending = null;
        if (IsPageClosed)
            return;

        // Reload either way: a rejected promotion to champion also stores its verdict.
        await LoadAsync();
    }

    private async Task SaveGateAsync()
    {
        var request = new SetReleaseGateRequest { ModelId = ModelId };
        if (_gateMinRatio is { } ratio)
            request.MinDisparateImpactRatio = ratio;
        if (_gateMaxDrop is { } drop)
            request.MaxAccuracyDrop = drop;

        _savingGate = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                _gate = await Versions.SetReleaseGateAsync(request, cancellationToken);
                Snackbar.Add($"Release gate of model {_model?.Name} saved: {DescribeGate(_gate)}", Severity.Success);
            },
            message => Snackbar.Add(message, Severity.Error));
        _savingGate = false;
    }

    private VersionNode ReferenceOf(VersionNode candidate)
    {
        string? championId = VersionWithAlias(VersionTree.Champion);
        var champion = _nodes.FirstOrDefault(node => node.Id == championId);
        return champion is not null && champion.Id != candidate.Id ? champion : VersionTree.RootOf(candidate, _nodes);
    }

    private string ReferenceKind(VersionNode candidate)
    {
        string? championId = VersionWithAlias(VersionTree.Champion);
        return championId is not null && championId != candidate.Id && _nodes.Any(node => node.Id == championId) ? "the champion" : "the lineage root";
    }

    private IReadOnlyList<GateRulePreview> Preview(VersionNode candidate, ReleaseGate gate) =>
        GatePreview.Check(gate, candidate.Version.TestReport, ReferenceOf(candidate).Version.TestReport);

    private string DescribeChange(VersionNode pending)
    {
        string? currentId = VersionWithAlias(_pendingAlias);
        if (currentId is null)
            return $"The model has no {_pendingAlias} yet; version {Home.ShortId(pending.Id)} becomes its {_pendingAlias}.";

        var current = _nodes.FirstOrDefault(node => node.Id == currentId);
        bool older = current is not null && pending.Version.CreatedAt is { } created && current.Version.CreatedAt is { } currentCreated
                     && created.ToDateTimeOffset() < currentCreated.ToDateTimeOffset();
        return older
            ? $"This rolls the {_pendingAlias} back from version {Home.ShortId(currentId)} to the older version {Home.ShortId(pending.Id)}."
            : $"The {_pendingAlias} moves from version {Home.ShortId(currentId)} to version {Home.ShortId(pending.Id)}.";
    }

    internal static string DescribeGate(ReleaseGate gate)
    {
        string ratio = gate.HasMinDisparateImpactRatio
            ? $"disparate impact ratio at least {Format(gate.MinDisparateImpactRatio)}"
            : "disparate impact ratio not checked";
        string drop = gate.HasMaxAccuracyDrop
            ? $"accuracy drop at most {Format(gate.MaxAccuracyDrop)}"
            : "accuracy drop not checked";
        string origin = gate.IsDefault
            ? "the default gate, since none was set"
            : $"set by {gate.UpdatedBy}, {FormatTime(gate.UpdatedAt)} UTC";
        return $"{ratio}, {drop} ({origin}).";
    }

    private static string? FractionError(double? value, string field) =>
        value is { } number && !(number is >= 0 and <= 1)
            ? $"{field} must be between 0 and 1; {Format(number)} is out of range. Leave it empty to not check the rule."
            : null;

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    internal static string FormatTime(Timestamp? time) =>
        time is null ? "-" : time.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
