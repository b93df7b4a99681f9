using System.Globalization;
using Grpc.Core;
using UnlearnDashboard.Compute.Audit;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Lists the audit trail's entries and verifies its hash chain.</summary>
public sealed class AuditGrpcService(AuditTrail audit) : AuditService.AuditServiceBase
{
    private const int DefaultPageSize = 100;

    private const int MaxPageSize = 1000;

    public override async Task<ListAuditEntriesResponse> ListAuditEntries(ListAuditEntriesRequest request, ServerCallContext context)
    {
        var filter = ToFilter(request);
        var rows = await audit.ListAsync(filter, context.CancellationToken);

        var response = new ListAuditEntriesResponse { Entries = { rows.Select(ToProto) } };
        if (rows.Count == filter.Limit)
            response.NextPageToken = rows[^1].Sequence.ToString(CultureInfo.InvariantCulture);
        return response;
    }

    public override async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context)
    {
        var result = await audit.VerifyAsync(context.CancellationToken);
        return ToProto(result);
    }

    internal static VerifyAuditChainResponse ToProto(AuditVerification result)
    {
        return new VerifyAuditChainResponse
        {
            Intact = result.IsIntact,
            EntryCount = result.EntryCount,
            FirstBrokenSequence = result.FirstBrokenSequence ?? 0,
            Reason = result.Reason,
            LastHash = result.LastHash,
            RecordedCount = result.RecordedHead?.Count ?? 0,
            RecordedHash = result.RecordedHead?.Hash ?? "",
        };
    }

    private static AuditFilter ToFilter(ListAuditEntriesRequest request)
    {
        if (request.PageSize is < 0 or > MaxPageSize)
            throw RpcErrors.InvalidArgument("page_size", $"page_size {request.PageSize} is out of range; use 1 to {MaxPageSize}, or 0 for {DefaultPageSize}.");

        long after = 0;
        if (request.PageToken.Length > 0
            && (!long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 1))
        {
            throw RpcErrors.InvalidArgument("page_token",
                $"page_token '{request.PageToken}' is not a token this server returned; pass next_page_token of the previous page, or nothing.");
        }

        DateTime? since = ToTime(request.Since, "since");
        DateTime? until = ToTime(request.Until, "until");
        if (since is not null && until is not null && until <= since)
            throw RpcErrors.InvalidArgument("until", $"until ({until:O}) is not after since ({since:O}); pass a later until or leave it unset.");

        return new AuditFilter(
            OrNull(request.Actor),
            OrNull(request.Action),
            OrNull(request.Subject),
            since,
            until,
            after,
            request.PageSize == 0 ? DefaultPageSize : request.PageSize);
    }

    private static string? OrNull(string value) => value.Length == 0 ? null : value;

    /// <summary>Converts a timestamp, rejecting one outside 0001-01-01 to 9999-12-31 or with nanos outside 0 to 999,999,999.</summary>
    private static DateTime? ToTime(Google.Protobuf.WellKnownTypes.Timestamp? timestamp, string field)
    {
        if (timestamp is null)
            return null;

        try
        {
            return timestamp.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            throw RpcErrors.InvalidArgument(field,
                $"{field} ({timestamp.Seconds} s, {timestamp.Nanos} ns) is not a valid time; use a time between 0001-01-01 and 9999-12-31 UTC.");
        }
    }

    internal static AuditEntry ToProto(AuditEntryRow row) => new()
    {
        Sequence = row.Sequence,
        Time = row.Time.ToTimestamp(),
        Actor = row.Actor,
        Action = row.Action,
        Subject = row.Subject,
        DetailsJson = row.DetailsJson,
        PreviousHash = row.PreviousHash,
        Hash = row.Hash,
    };
}
