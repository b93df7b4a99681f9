using System.Globalization;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Shared;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Fairness;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>
/// Two model versions side by side: metric cards with changes and intervals, four-fifths ratios, confusion
/// matrices, flipped decisions, per-layer change and removed rows. The versions and meeting mode are in the
/// query string, so a comparison can be shared as a link.
/// </summary>
public sealed partial class Compare : ComputePage
{
    private static readonly IReadOnlyList<HeadlineMetric> HeadlineMetrics =
    [
        new(FairnessMapping.Metrics.Accuracy, "Accuracy", HigherIsBetter: true),
        new(FairnessMapping.Metrics.DemographicParityDifference, "Demographic parity difference", HigherIsBetter: false),
        new(FairnessMapping.Metrics.EqualizedOddsDifference, "Equalized odds difference", HigherIsBetter: false),
        new(FairnessMapping.Metrics.EqualOpportunityDifference, "Equal opportunity difference", HigherIsBetter: false),
        new(FairnessMapping.Metrics.FalsePositiveRateDifference, "False positive rate difference", HigherIsBetter: false),
        new(FairnessMapping.Metrics.DisparateImpactRatio, "Disparate impact ratio", HigherIsBetter: true),
    ];

    private CatalogSnapshot _snapshot = CatalogSnapshot.Empty;
    private bool _catalogLoading = true;
    private string? _catalogError;
    private VersionComparison? _comparison;
    private (string? Baseline, string? Candidate) _compared;
    private bool _loading;
    private string? _error;

    [Inject]
    private IComputeCatalog Catalog { get; set; } = default!;

    [Inject]
    private IComputeComparisons Comparisons { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "baseline")]
    public string? BaselineId { get; set; }

    [SupplyParameterFromQuery(Name = "candidate")]
    public string? CandidateId { get; set; }

    /// <summary>"true" turns on meeting mode: large type and no editing controls, for a projector.</summary>
    [SupplyParameterFromQuery(Name = "meeting")]
    public string? MeetingParameter { get; set; }

    private bool Meeting => string.Equals(MeetingParameter, "true", StringComparison.OrdinalIgnoreCase);

    private string MeetingToggleUrl => Navigation.GetUriWithQueryParameter("meeting", Meeting ? null : "true");

    private IEnumerable<ModelVersion> CandidateChoices
    {
        get
        {
            string? dataset = DatasetOf(BaselineId);
            return _snapshot.Versions.Where(v => v.Id != BaselineId && DatasetOf(v.Id) == dataset);
        }
    }

    private string? SelectionError =>
        BaselineId is not null && BaselineId == CandidateId ? "Pick a candidate other than the baseline." : null;

    private IEnumerable<string> VersionsApprovingNobody
    {
        get
        {
            if (_comparison is null)
                yield break;

            if (_comparison.BaselineReport.ToSummary()?.ApprovesNobody == true)
                yield return "baseline";
            if (_comparison.CandidateReport.ToSummary()?.ApprovesNobody == true)
                yield return "candidate";
        }
    }

    private long FlippedTotal => _comparison?.Flips.Sum(f => f.NowFavourable + f.NowUnfavourable) ?? 0;

    protected override async Task OnInitializedAsync()
    {
        await CallComputeAsync(
            async cancellationToken => _snapshot = await Catalog.GetSnapshotAsync(cancellationToken),
            message => _catalogError = message);
        _catalogLoading = false;
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_compared == (BaselineId, CandidateId))
            return;

        _compared = (BaselineId, CandidateId);
        _comparison = null;
        _error = null;
        if (BaselineId is null || CandidateId is null || SelectionError is not null)
            return;

        _loading = true;
        await CallComputeAsync(
            async cancellationToken => _comparison = await Comparisons.CompareAsync(BaselineId, CandidateId, cancellationToken),
            message => _error = message);
        _loading = false;
    }

    private void OnBaselineChanged(string? versionId)
    {
        string? candidate = CandidateId is not null && DatasetOf(CandidateId) == DatasetOf(versionId) ? CandidateId : null;
        Navigate(versionId, candidate);
    }

    private void OnCandidateChanged(string? versionId) => Navigate(BaselineId, versionId);

    private void Navigate(string? baseline, string? candidate)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["baseline"] = baseline,
            ["candidate"] = candidate,
        }));
    }

    private string? DatasetOf(string? versionId)
    {
        var version = _snapshot.Versions.FirstOrDefault(v => v.Id == versionId);
        return _snapshot.Models.FirstOrDefault(m => m.Id == version?.ModelId)?.DatasetId;
    }

    private string DescribeVersion(string? versionId)
    {
        var version = _snapshot.Versions.FirstOrDefault(v => v.Id == versionId);
        if (version is null)
            return versionId is null ? "no version" : Home.ShortId(versionId);

        var model = _snapshot.Models.FirstOrDefault(m => m.Id == version.ModelId);
        var dataset = _snapshot.Datasets.FirstOrDefault(d => d.Id == model?.DatasetId);
        string origin = string.IsNullOrEmpty(version.ParentVersionId) ? "trained" : $"debiased from {Home.ShortId(version.ParentVersionId)}";
        string datasetName = dataset is null ? "" : $"{CatalogRows.DatasetName(dataset)} · ";
        return $"{datasetName}{Home.ShortId(version.Id)} · {model?.Name ?? version.ModelId} · {origin}";
    }

    private static double? Optional(bool isSet, double value) => isSet ? value : null;

    private static string ChangeText(MetricDelta metric)
    {
        if (!metric.HasDelta)
            return "change undefined";

        string text = "change " + Signed(metric.Delta);
        if (metric.HasDeltaLower && metric.HasDeltaUpper)
            text += $" [{Signed(metric.DeltaLower)}, {Signed(metric.DeltaUpper)}]";
        return text;
    }

    /// <summary>Colours a change whose interval excludes 0: green when it is an improvement, red otherwise.</summary>
    private static string ChangeClass(HeadlineMetric card, MetricDelta metric)
    {
        if (!metric.HasDeltaLower || !metric.HasDeltaUpper || (metric.DeltaLower <= 0 && metric.DeltaUpper >= 0))
            return "";

        bool improved = metric.Delta > 0 == card.HigherIsBetter;
        return improved ? "change-better" : "change-worse";
    }

    private static string Signed(double value) =>
        (value > 0 ? "+" : "") + MetricFormat.Format(value);

    private static string DescribeFeatures(FlippedRow row) =>
        string.Join(", ", row.Features.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}"));

    private static string LayerBarStyle(double relativeChange)
    {
        double width = Math.Clamp(relativeChange, 0, 1) * 8;
        return $"width: {width.ToString("0.###", CultureInfo.InvariantCulture)}em";
    }

    private sealed record HeadlineMetric(string Metric, string Label, bool HigherIsBetter);
}
