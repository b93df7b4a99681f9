using Grpc.Core;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Engine.Comparison;
using UnlearnDashboard.Engine.Fairness;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Compares two versions of models trained on the same dataset.</summary>
public sealed class ComparisonGrpcService(VersionLoader versions, DatasetCatalog datasets) : Proto.ComparisonService.ComparisonServiceBase
{
    public override async Task<Proto.VersionComparison> CompareVersions(Proto.CompareVersionsRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
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

        var comparison = await Task.Run(() =>
        {
            using var before = baseline.ToTrainedModel();
            using var after = candidate.ToTrainedModel();
            return VersionComparer.Compare(before, after, data, baselineRemoved, candidateRemoved, options, cancellationToken);
        }, cancellationToken);

        var message = comparison.ToProto(options.Split);
        message.Baseline = baseline.Version.ToProto();
        message.Candidate = candidate.Version.ToProto();
        return message;
    }
}
