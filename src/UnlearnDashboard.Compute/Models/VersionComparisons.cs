using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Engine.Comparison;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Fairness;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Models;

/// <summary>A comparison with the two versions and the prepared dataset it was computed on.</summary>
public sealed record ComparedVersions(Proto.VersionComparison Message, LoadedVersion Baseline, LoadedVersion Candidate, PreparedDataset Data);

/// <summary>Loads two versions of one dataset and compares them on one split.</summary>
public sealed class VersionComparisons(VersionLoader versions, DatasetCatalog datasets, AnalysisGate gate)
{
    /// <summary>Validates the request, then compares; FAILED_PRECONDITION when the versions' datasets differ.</summary>
    public async Task<ComparedVersions> CompareAsync(Proto.CompareVersionsRequest request, CancellationToken cancellationToken)
    {
        var options = new ComparisonOptions
        {
            Split = string.IsNullOrEmpty(request.Split) ? "test" : request.Split,
            FlippedExamples = request.HasFlippedExamples ? request.FlippedExamples : 10,
            Bootstrap = new BootstrapOptions
            {
                Resamples = request.HasBootstrapResamples ? request.BootstrapResamples : 1000,
                Seed = (int)request.BootstrapSeed,
            },
        };
        options.Validate();

        var baseline = await versions.LoadAsync(request.BaselineVersionId, "baseline_version_id", cancellationToken);
        var candidate = await versions.LoadAsync(request.CandidateVersionId, "candidate_version_id", cancellationToken);
        if (baseline.Dataset.Id != candidate.Dataset.Id)
        {
            throw RpcErrors.FailedPrecondition("candidate_version_id",
                $"Version {candidate.Version.Id} belongs to dataset {candidate.Dataset.Name} and version {baseline.Version.Id} to "
                + $"{baseline.Dataset.Name}; compare versions of models trained on the same dataset.");
        }

        var baselineRemoved = await versions.RemovedAlongLineageAsync(baseline.Version, cancellationToken);
        var candidateRemoved = await versions.RemovedAlongLineageAsync(candidate.Version, cancellationToken);
        var data = await datasets.GetPreparedAsync(baseline.Dataset).WaitAsync(cancellationToken);

        var message = await gate.RunAsync("The comparison", () =>
        {
            using var before = baseline.ToTrainedModel();
            using var after = candidate.ToTrainedModel();
            var comparison = VersionComparer.Compare(before, after, data, baselineRemoved, candidateRemoved, options, cancellationToken).ToProto(options.Split);
            VersionReportIntervals.Attach(comparison.BaselineReport, before, data, cancellationToken);
            VersionReportIntervals.Attach(comparison.CandidateReport, after, data, cancellationToken);
            return comparison;
        }, cancellationToken);

        message.Baseline = baseline.Version.ToProto();
        message.Candidate = candidate.Version.ToProto();
        return new ComparedVersions(message, baseline, candidate, data);
    }
}
