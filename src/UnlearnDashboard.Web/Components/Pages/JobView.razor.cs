using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;
using UnlearnDashboard.Web.Components.Shared;
using UnlearnDashboard.Web.Fairness;
using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>
/// Live view of one job: state, phase, progress and time, charts that grow with each step, and the result.
/// Events come through the jobs hub from sequence 1, so a reload shows everything so far.
/// </summary>
public sealed partial class JobView : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<JobStreamEvent> _events = [];
    private readonly List<(string Label, StepMetrics Metrics)> _points = [];
    private IAsyncDisposable? _subscription;
    private Job? _job;
    private string? _loadedJobId;
    private string? _loadError;
    private string? _streamError;
    private string? _phase;
    private string? _message;
    private double _fraction;
    private JobOutcome? _outcome;
    private string? _endedState;
    private string? _endedMessage;
    private bool _cancelling;
    private Task _clock = Task.CompletedTask;

    [Parameter, EditorRequired]
    public string JobId { get; set; } = "";

    [Inject]
    private IComputeJobs Jobs { get; set; } = default!;

    [Inject]
    private IJobEventSource EventSource { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private bool HasFinished => _outcome is not null || _endedState is not null || IsFinalState(_job?.State);

    private bool CanCancel => _job is not null && !HasFinished && !_cancelling;

    private string State => _outcome is not null ? "Succeeded"
        : _endedState ?? JobEventMapping.DescribeState(_job?.State ?? JobState.Unspecified);

    private TimeSpan Elapsed
    {
        get
        {
            var start = _job?.StartedAt?.ToDateTimeOffset()
                ?? _events.FirstOrDefault()?.Time
                ?? _job?.CreatedAt?.ToDateTimeOffset();
            if (start is null)
                return TimeSpan.Zero;

            var end = HasFinished
                ? _events.LastOrDefault()?.Time ?? _job?.FinishedAt?.ToDateTimeOffset() ?? Time.GetUtcNow()
                : Time.GetUtcNow();
            var elapsed = end - start.Value;
            return elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
        }
    }

    /// <summary>Estimate that assumes the rest of the job runs at the average pace so far.</summary>
    private string Remaining
    {
        get
        {
            if (HasFinished)
                return MetricFormat.Duration(TimeSpan.Zero);
            if (_fraction < 0.01)
                return "estimating…";
            var remaining = Elapsed * ((1 - _fraction) / _fraction);
            return "about " + MetricFormat.Duration(remaining);
        }
    }

    private IReadOnlyList<string> StepLabels => _points.Select(point => point.Label).ToList();

    private IReadOnlyList<ChartLine> BiasSeries =>
    [
        new("bias objective (validation)", _points.Select(point => point.Metrics.BiasObjective).ToList()),
        new("DP difference", _points.Select(point => point.Metrics.DemographicParityDifference).ToList()),
    ];

    private IReadOnlyList<ChartLine> AccuracySeries =>
        [new("accuracy", _points.Select(point => point.Metrics.Accuracy).ToList())];

    private IReadOnlyList<ChartLine> SelectionSeries =>
        _points.SelectMany(point => point.Metrics.SelectionRates.Keys).Distinct().Order(StringComparer.Ordinal)
            .Select(group => new ChartLine(group, _points
                .Select(point => point.Metrics.SelectionRates.TryGetValue(group, out double rate) ? rate : (double?)null)
                .ToList()))
            .ToList();

    protected override async Task OnParametersSetAsync()
    {
        if (JobId == _loadedJobId)
            return;

        _loadedJobId = JobId;
        try
        {
            _job = await Jobs.GetJobAsync(JobId, _disposed.Token);
            _subscription = await EventSource.SubscribeAsync(JobId, 0, OnEventAsync, OnStreamFailureAsync, _disposed.Token);
            _clock = TickAsync(_disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The user left the page while it loaded.
        }
        catch (ComputeUnavailableException exception)
        {
            _loadError = exception.Message;
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or IOException)
        {
            _streamError = $"Live updates are unavailable: {exception.Message}. Reload the page to retry.";
        }
    }

    /// <summary>Sequence of the last event applied, 0 before the first; rendered for tests that time the live stream.</summary>
    private long LastSequence => _events.Count == 0 ? 0 : _events[^1].Sequence;

    private Task OnEventAsync(JobStreamEvent jobEvent) => InvokeAsync(() =>
    {
        Apply(jobEvent);
        StateHasChanged();
    });

    private Task OnStreamFailureAsync(string message) => InvokeAsync(() =>
    {
        _streamError = message;
        StateHasChanged();
    });

    private void Apply(JobStreamEvent jobEvent)
    {
        _events.Add(jobEvent);
        switch (jobEvent.Kind)
        {
            case JobEventKind.Progress:
                _phase = jobEvent.Phase;
                _fraction = Math.Clamp(jobEvent.Fraction, 0, 1);
                _message = jobEvent.Message;
                if (_job is not null && _job.State == JobState.Queued && jobEvent.Phase != "queued")
                    _job.State = JobState.Running;
                if (jobEvent.Metrics is { } metrics)
                    _points.Add(($"{jobEvent.Phase} {metrics.Step.ToString(CultureInfo.InvariantCulture)}", metrics));
                break;
            case JobEventKind.Result:
                _outcome = jobEvent.Result;
                _fraction = 1;
                _phase = "done";
                _message = "The job succeeded.";
                break;
            case JobEventKind.Ended:
                _endedState = jobEvent.EndedState;
                _endedMessage = jobEvent.Message;
                _message = jobEvent.Message;
                break;
        }
    }

    private async Task CancelAsync()
    {
        _cancelling = true;
        try
        {
            await Jobs.CancelJobAsync(JobId, _disposed.Token);
            Snackbar.Add("Cancellation requested; the job stops at its next step.", Severity.Info);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The user left the page.
        }
        catch (ComputeUnavailableException exception)
        {
            Snackbar.Add($"Cancelling failed: {exception.Message}", Severity.Error);
            _cancelling = false;
        }
    }

    /// <summary>Re-renders once a second while the job runs, so the elapsed and remaining times move.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Time);
        try
        {
            while (!HasFinished && await timer.WaitForNextTickAsync(cancellationToken))
                await InvokeAsync(StateHasChanged);
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    private string DescribeRequest()
    {
        if (_job?.DebiasRequest is { } request)
        {
            string fraction = (request.HasRemoveFraction ? request.RemoveFraction : NewRequest.DefaultRemoveFraction).ToString("0.###", CultureInfo.InvariantCulture);
            string layers = request.Layers.Count == 0 ? "last layer" : string.Join(", ", request.Layers);
            return $"debias {request.Dataset}, remove {fraction}, {layers}{(request.CompareRetrain ? ", with retrain" : "")}";
        }

        if (_job?.ErasureRequest is { } erasure)
            return $"erase {erasure.RowIds.Count} rows from version {Home.ShortId(erasure.ModelVersionId)}";

        return _job?.TrainRequest is { } train ? $"train on {train.Dataset}" : "—";
    }

    private static IEnumerable<(string Caption, FairnessSummary Report, string TestId)> GroupReports(JobOutcome outcome)
    {
        if (outcome.Before is { } before)
            yield return ("Groups before", before, "groups-before");
        if (outcome.After is { } after)
            yield return ("Groups after", after, "groups-after");
        if (outcome.Retrain is { } retrain)
            yield return ("Groups after retraining", retrain, "groups-retrain");
    }

    private static bool IsFinalState(JobState? state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.Interrupted;

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        if (_subscription is not null)
            await _subscription.DisposeAsync();
        await _clock;
        _disposed.Dispose();
    }
}
