using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Components.Shared;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>Wizard that builds a DebiasRequest step by step, submits it and opens the job's live view.</summary>
public sealed partial class NewRequest : ComputePage
{
    public const double DefaultRemoveFraction = 0.05;
    public const int MaxNewtonSteps = 50;
    private const int LastStep = 3;

    private readonly bool[] _attempted = new bool[LastStep + 1];
    private readonly RequestForm _form = new();
    private static readonly string[] StepTitles = ["Model", "Sensitive attribute", "Method", "Summary"];
    private MudStepper? _stepper;
    private int _step;
    private CatalogSnapshot _snapshot = CatalogSnapshot.Empty;
    private bool _loading = true;
    private bool _submitting;
    private string? _loadError;

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    [Inject]
    private IComputeJobs Jobs { get; set; } = default!;

    [Inject]
    private IComputeCounterfactuals Counterfactuals { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    private SignedInUser _user = SignedInUser.Anonymous;

    /// <summary>Why the signed-in user cannot submit, or null for an ML engineer.</summary>
    private string? SubmitDeniedReason => _user.IsEngineer
        ? null
        : $"Only ML engineers can submit requests; you are signed in as {_user.Describe()}. You can still walk through the steps.";

    /// <summary>Dataset id or name to preselect, from the query string.</summary>
    [SupplyParameterFromQuery(Name = "dataset")]
    public string? InitialDataset { get; set; }

    /// <summary>Model version id to preselect, from the query string.</summary>
    [SupplyParameterFromQuery(Name = "version")]
    public string? InitialVersion { get; set; }

    private Dataset? SelectedDataset => _snapshot.Datasets.FirstOrDefault(dataset => dataset.Id == _form.DatasetId);

    private IReadOnlyList<ModelVersion> Versions =>
        SelectedDataset is { } dataset ? _snapshot.VersionsOf(dataset.Id) : [];

    private IReadOnlyList<LayerInfo> Layers =>
        Versions.FirstOrDefault(version => version.Id == _form.VersionId)?.Layers.ToList() ?? [];

    /// <summary>Value of the counterfactual-set choice that lets the server pick the most recently approved set.</summary>
    private const string AutomaticSet = "";

    private IReadOnlyList<CounterfactualSet> _approvedSets = [];

    private IReadOnlyList<CounterfactualSet> ApprovedSets => _approvedSets.Where(set => set.DatasetId == _form.DatasetId).ToList();

    private string MethodHelp => MethodChoices.Of(_form.Method).Help;

    private string? CounterfactualSetError =>
        MethodChoices.Of(_form.Method).NeedsApprovedSet && ApprovedSets.Count == 0
            ? $"{MethodChoices.Of(_form.Method).Label} needs an approved counterfactual set, and this dataset has none. Generate one for review, or pick another method."
            : null;

    private string? DatasetError => SelectedDataset is null ? "Choose a dataset." : null;

    private string? VersionError => SelectedDataset is null ? null
        : Versions.Count == 0 ? "This dataset has no model version yet; train one first (unlearn train)."
        : Versions.All(version => version.Id != _form.VersionId) ? "Choose a model version."
        : null;

    private string? SensitiveError => SelectedDataset is { } dataset && _form.SensitiveAttribute != dataset.Spec.SensitiveColumn
        ? $"Choose the sensitive attribute; this dataset was registered with '{dataset.Spec.SensitiveColumn}'."
        : null;

    private string SensitiveHelp => SelectedDataset is { } dataset
        ? $"Groups: {string.Join(", ", dataset.Groups)}. Disparate impact is measured against {ReferenceGroup(dataset)}. " +
          "Another column needs the dataset registered again with that column as sensitive."
        : "Choose a dataset first.";

    /// <summary>The chosen method's entry: its label, and which of the method step's fields it reads.</summary>
    private MethodChoice Choice => MethodChoices.Of(_form.Method);

    private string? FractionError => _form.RemoveFraction switch
    {
        null => "Enter the fraction of training samples to remove, in (0, 0.5].",
        { } fraction when !(fraction > 0 && fraction <= 0.5) =>
            $"The remove fraction must be greater than 0 and at most 0.5; {fraction.ToString("0.###", CultureInfo.InvariantCulture)} is outside.",
        _ => null,
    };

    private string? AccuracyLossError => _form.MaxAccuracyLoss is { } loss && !(loss >= 0 && loss <= 1)
        ? $"The largest accuracy loss must be between 0 and 1; {loss.ToString("0.####", CultureInfo.InvariantCulture)} is outside. Leave it empty for no limit."
        : null;

    private string? DampingError => _form.Damping is { } damping && !(damping >= 0 && double.IsFinite(damping))
        ? "The damping λ must be a finite number ≥ 0, or empty to let the server choose it."
        : null;

    private string? NewtonStepsError => _form.NewtonSteps is < 1 or > MaxNewtonSteps
        ? $"Newton steps must be between 1 and {MaxNewtonSteps}."
        : null;

    private List<string> AllErrors => Enumerable.Range(0, LastStep).SelectMany(StepErrors).ToList();

    protected override async Task OnInitializedAsync()
    {
        _user = await SignedInUser.FromAsync(AuthenticationState);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _loadError = null;
        await CallComputeAsync(
            async cancellationToken =>
            {
                _snapshot = await Catalog.GetSnapshotAsync(cancellationToken);
                _approvedSets = await Counterfactuals.ListAsync(null, CounterfactualSetStatus.Approved, cancellationToken);
                Preselect();
            },
            message => _loadError = message);
        _loading = false;
    }

    private void Preselect()
    {
        var dataset = _snapshot.Datasets.FirstOrDefault(d => d.Id == InitialDataset || d.Spec?.Name == InitialDataset)
            ?? (_snapshot.Datasets.Count == 1 ? _snapshot.Datasets[0] : null);
        if (dataset is null)
            return;

        SelectDataset(dataset.Id);
        if (InitialVersion is not null && Versions.Any(version => version.Id == InitialVersion))
            _form.VersionId = InitialVersion;
    }

    private void OnDatasetChanged(string datasetId) => SelectDataset(datasetId);

    private void SelectDataset(string datasetId)
    {
        _form.DatasetId = datasetId;
        var dataset = SelectedDataset;
        _form.SensitiveAttribute = dataset?.Spec.SensitiveColumn;
        _form.Layers = [];
        _form.CounterfactualSetId = AutomaticSet;
        var versions = Versions;
        _form.VersionId = versions.FirstOrDefault(version => version.Id == dataset?.DefaultModelVersionId)?.Id
            ?? versions.FirstOrDefault()?.Id;
    }

    private void OnLayersChanged(IEnumerable<string>? layers) => _form.Layers = layers?.ToList() ?? [];

    private void OnMethodChanged(DebiasMethod method) => _form.Method = method;

    private void OnCounterfactualSetChanged(string setId) => _form.CounterfactualSetId = setId;

    private static string DescribeSet(CounterfactualSet set) =>
        $"{Home.ShortId(set.Id)} · {set.RowCount} pairs · requested by {set.RequestedBy}, approved by {set.ReviewedBy}";

    private IReadOnlyList<string> StepErrors(int step) => step switch
    {
        0 => new[] { DatasetError, VersionError }.OfType<string>().ToList(),
        1 => new[] { SensitiveError }.OfType<string>().ToList(),
        2 => new[]
            {
                CounterfactualSetError,
                Choice.RanksSamples ? FractionError : null,
                AccuracyLossError,
                Choice.RanksSamples ? DampingError : null,
                Choice.TakesNewtonSteps ? NewtonStepsError : null,
            }.OfType<string>().ToList(),
        _ => [],
    };

    /// <summary>Blocks a move forward while a step before the target has an invalid choice, and marks that step.</summary>
    private Task OnPreviewInteraction(StepperInteractionEventArgs args)
    {
        int current = _step;
        int through = args.Action == StepAction.Complete ? current : args.StepIndex - 1;
        if (args.Action is not (StepAction.Complete or StepAction.Activate) || through < current && args.Action != StepAction.Complete)
            return Task.CompletedTask;

        for (int step = 0; step <= Math.Min(through, LastStep - 1); step++)
        {
            _attempted[step] = true;
            if (StepErrors(step).Count > 0)
            {
                args.Cancel = true;
                break;
            }
        }

        return Task.CompletedTask;
    }

    private Task NextAsync() => _stepper?.NextStepAsync() ?? Task.CompletedTask;

    private Task PreviousAsync() => _stepper?.PreviousStepAsync() ?? Task.CompletedTask;

    private async Task SubmitAsync()
    {
        if (AllErrors.Count > 0 || SelectedDataset is null || SubmitDeniedReason is not null)
            return;

        _submitting = true;
        await CallComputeAsync(
            async cancellationToken =>
            {
                var job = await Jobs.SubmitDebiasAsync(_form.ToRequest(), cancellationToken);
                Navigation.NavigateTo($"/jobs/{Uri.EscapeDataString(job.Id)}");
            },
            message => Snackbar.Add($"The compute server rejected the request: {message}", Severity.Error));
        _submitting = false;
    }

    private string DescribeVersion(ModelVersion version)
    {
        var model = _snapshot.Models.FirstOrDefault(m => m.Id == version.ModelId);
        var report = version.TestReport.ToSummary();
        string marker = version.Id == SelectedDataset?.DefaultModelVersionId ? " (default)" : "";
        string parent = string.IsNullOrEmpty(version.ParentVersionId) ? "trained" : $"debiased from {Home.ShortId(version.ParentVersionId)}";
        return $"{Home.ShortId(version.Id)}{marker} · {model?.Name ?? version.ModelId} · {parent} · accuracy {MetricFormat.Format(report?.Accuracy)}, " +
               $"DP difference {MetricFormat.Format(report?.DemographicParityDifference)}";
    }

    private static string ReferenceGroup(Dataset dataset) =>
        string.IsNullOrEmpty(dataset.Spec.ReferenceGroup) ? "the largest group" : dataset.Spec.ReferenceGroup;

    private static string DescribeNumber(double? value) =>
        value is { } number ? number.ToString("0.######", CultureInfo.InvariantCulture) : "—";

    /// <summary>The choices made in the wizard.</summary>
    private sealed class RequestForm
    {
        public string? DatasetId { get; set; }

        public string? VersionId { get; set; }

        public string? SensitiveAttribute { get; set; }

        public double? RemoveFraction { get; set; } = DefaultRemoveFraction;

        /// <summary>Null sets no limit on the validation accuracy the update may lose.</summary>
        public double? MaxAccuracyLoss { get; set; }

        public IReadOnlyCollection<string> Layers { get; set; } = [];

        /// <summary>Null lets the server choose the damping by its rule.</summary>
        public double? Damping { get; set; }

        public int NewtonSteps { get; set; } = 1;

        public bool CompareRetrain { get; set; }

        public DebiasMethod Method { get; set; } = MethodChoices.Recommended;

        /// <summary>An approved set's id, or <see cref="AutomaticSet"/>.</summary>
        public string CounterfactualSetId { get; set; } = AutomaticSet;

        /// <summary>Builds the request with only the fields the chosen method reads.</summary>
        public DebiasRequest ToRequest()
        {
            var choice = MethodChoices.Of(Method);
            var request = new DebiasRequest
            {
                Dataset = DatasetId ?? "",
                ModelVersionId = VersionId ?? "",
                SensitiveAttribute = SensitiveAttribute ?? "",
                Method = Method,
                CounterfactualSetId = choice.UsesCounterfactuals ? CounterfactualSetId : "",
                CompareRetrain = choice.RanksSamples && CompareRetrain,
            };
            if (choice.TakesNewtonSteps)
                request.NewtonSteps = NewtonSteps;
            if (choice.RanksSamples && RemoveFraction is { } fraction)
                request.RemoveFraction = fraction;
            if (choice.RanksSamples && Damping is { } damping)
                request.Damping = damping;
            if (MaxAccuracyLoss is { } maxAccuracyLoss)
                request.MaxAccuracyLoss = maxAccuracyLoss;
            request.Layers.AddRange(Layers);
            return request;
        }
    }
}
