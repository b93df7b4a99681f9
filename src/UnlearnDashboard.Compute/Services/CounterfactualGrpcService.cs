using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>
/// Generates counterfactual sets, pages through their rows and records their review. The requester and the reviewer
/// are the authenticated callers, so the four-eyes rule compares users; only the dashboard's service account names
/// the person it acts for in the request.
/// </summary>
public sealed class CounterfactualGrpcService(CounterfactualCatalog catalog, DatasetCatalog datasets, AuditTrail audit)
    : CounterfactualService.CounterfactualServiceBase
{
    public override async Task<CounterfactualSet> GenerateCounterfactualSet(GenerateCounterfactualSetRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        request.RequestedBy = ActingPerson(caller, request.RequestedBy, "requested_by");
        var dataset = await datasets.ResolveAsync(request.Dataset, "dataset", context.CancellationToken);
        var row = await catalog.GenerateAsync(caller.UserName, dataset, request, context.CancellationToken);
        return row.ToProto();
    }

    public override async Task<GetCounterfactualSetResponse> GetCounterfactualSet(GetCounterfactualSetRequest request, ServerCallContext context)
    {
        var row = await catalog.GetAsync(request.SetId, "set_id", context.CancellationToken);

        // An erasure deleted a withdrawn set's rows, so only the set itself, with the erasure's id, is returned.
        if (row.Status == (int)CounterfactualSetStatus.Withdrawn)
            return new GetCounterfactualSetResponse { Set = row.ToProto() };

        var dataset = await datasets.ResolveAsync(row.DatasetId, "set_id", context.CancellationToken);
        var set = await catalog.ReadSetAsync(row, dataset, context.CancellationToken);
        var (rows, nextPageToken) = CounterfactualPages.Read(set, request.PageSize, request.PageToken);

        // The page carries training rows, so who saw which rows is recorded: the set's artifact and the page's
        // position, not the rows.
        await audit.TryAppendAsync(context.Caller().UserName, AuditActions.RowsView, CounterfactualCatalog.Subject(row.Id), new Dictionary<string, object?>
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
            CounterfactualSetStatus.Pending or CounterfactualSetStatus.Approved or CounterfactualSetStatus.Rejected
                or CounterfactualSetStatus.Withdrawn => request.Status,
            _ => throw RpcErrors.InvalidArgument("status",
                $"status {(int)request.Status} is unknown; use COUNTERFACTUAL_SET_STATUS_PENDING, _APPROVED, _REJECTED or _WITHDRAWN, or leave it unset."),
        };

        var rows = await catalog.ListAsync(datasetId, status, context.CancellationToken);
        return new ListCounterfactualSetsResponse { Sets = { rows.Select(r => r.ToProto()) } };
    }

    public override async Task<CounterfactualSet> ApproveCounterfactualSet(ReviewCounterfactualSetRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var row = await catalog.ReviewAsync(caller.UserName, request.SetId, ActingPerson(caller, request.Reviewer, "reviewer"), request.Comment,
            CounterfactualSetStatus.Approved, context.CancellationToken);
        return row.ToProto();
    }

    public override async Task<CounterfactualSet> RejectCounterfactualSet(ReviewCounterfactualSetRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var row = await catalog.ReviewAsync(caller.UserName, request.SetId, ActingPerson(caller, request.Reviewer, "reviewer"), request.Comment,
            CounterfactualSetStatus.Rejected, context.CancellationToken);
        return row.ToProto();
    }

    /// <summary>
    /// Returns who requests or reviews: always the authenticated caller. Throws INVALID_ARGUMENT when
    /// <paramref name="field"/> names someone else.
    /// </summary>
    private static string ActingPerson(CallerIdentity caller, string named, string field)
    {
        string trimmed = named.Trim();
        if (trimmed.Length > 0 && !string.Equals(trimmed, caller.UserName, StringComparison.OrdinalIgnoreCase))
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} is '{trimmed}', but the caller is '{caller.UserName}'. The server records the authenticated caller, so leave {field} empty.");
        }

        return caller.UserName;
    }
}
