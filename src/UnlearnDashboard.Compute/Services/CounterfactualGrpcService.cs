using Grpc.Core;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Generates counterfactual sets, pages through their rows and records their review.</summary>
public sealed class CounterfactualGrpcService(CounterfactualCatalog catalog, DatasetCatalog datasets, AuditTrail audit)
    : CounterfactualService.CounterfactualServiceBase
{
    public override async Task<CounterfactualSet> GenerateCounterfactualSet(GenerateCounterfactualSetRequest request, ServerCallContext context)
    {
        var dataset = await datasets.ResolveAsync(request.Dataset, "dataset", context.CancellationToken);
        var row = await catalog.GenerateAsync(AuditActors.Anonymous, dataset, request, context.CancellationToken);
        return row.ToProto();
    }

    public override async Task<GetCounterfactualSetResponse> GetCounterfactualSet(GetCounterfactualSetRequest request, ServerCallContext context)
    {
        var row = await catalog.GetAsync(request.SetId, "set_id", context.CancellationToken);
        var dataset = await datasets.ResolveAsync(row.DatasetId, "set_id", context.CancellationToken);
        var set = await catalog.ReadSetAsync(row, dataset, context.CancellationToken);
        var (rows, nextPageToken) = CounterfactualPages.Read(set, request.PageSize, request.PageToken);

        // The page carries training rows, so who saw which rows is recorded: the set's artifact and the page's
        // position, not the rows.
        await audit.TryAppendAsync(AuditActors.Anonymous, AuditActions.RowsView, CounterfactualCatalog.Subject(row.Id), new Dictionary<string, object?>
        {
            ["artifact_sha256"] = row.ArtifactSha256,
            ["page_token"] = request.PageToken,
            ["row_count"] = rows.Count,
        });
        return new GetCounterfactualSetResponse { Set = row.ToProto(), Rows = { rows }, NextPageToken = nextPageToken };
    }

    public override async Task<ListCounterfactualSetsResponse> ListCounterfactualSets(ListCounterfactualSetsRequest request, ServerCallContext context)
    {
        string? datasetId = string.IsNullOrEmpty(request.Dataset)
            ? null
            : (await datasets.ResolveAsync(request.Dataset, "dataset", context.CancellationToken)).Id;
        CounterfactualSetStatus? status = request.Status switch
        {
            CounterfactualSetStatus.Unspecified => null,
            CounterfactualSetStatus.Pending or CounterfactualSetStatus.Approved or CounterfactualSetStatus.Rejected => request.Status,
            _ => throw RpcErrors.InvalidArgument("status",
                $"status {(int)request.Status} is unknown; use COUNTERFACTUAL_SET_STATUS_PENDING, _APPROVED or _REJECTED, or leave it unset."),
        };

        var rows = await catalog.ListAsync(datasetId, status, context.CancellationToken);
        return new ListCounterfactualSetsResponse { Sets = { rows.Select(r => r.ToProto()) } };
    }

    public override async Task<CounterfactualSet> ApproveCounterfactualSet(ReviewCounterfactualSetRequest request, ServerCallContext context)
    {
        var row = await catalog.ReviewAsync(AuditActors.Anonymous, request.SetId, request.Reviewer, request.Comment, CounterfactualSetStatus.Approved,
            context.CancellationToken);
        return row.ToProto();
    }

    public override async Task<CounterfactualSet> RejectCounterfactualSet(ReviewCounterfactualSetRequest request, ServerCallContext context)
    {
        var row = await catalog.ReviewAsync(AuditActors.Anonymous, request.SetId, request.Reviewer, request.Comment, CounterfactualSetStatus.Rejected,
            context.CancellationToken);
        return row.ToProto();
    }
}
