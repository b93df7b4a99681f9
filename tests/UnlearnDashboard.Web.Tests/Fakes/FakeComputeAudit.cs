using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Filters fixed audit entries the way the server does, pages them by sequence, and returns a fixed check.</summary>
public sealed class FakeComputeAudit : IComputeAudit
{
    public List<AuditEntry> Entries { get; } = [];

    public VerifyAuditChainResponse Check { get; set; } = new() { Intact = true };

    public List<ListAuditEntriesRequest> Requests { get; } = [];

    public Task<ListAuditEntriesResponse> ListAsync(ListAuditEntriesRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        long after = request.PageToken.Length == 0 ? 0 : long.Parse(request.PageToken, System.Globalization.CultureInfo.InvariantCulture);
        var matching = Entries
            .Where(e => e.Sequence > after)
            .Where(e => request.Actor.Length == 0 || e.Actor == request.Actor)
            .Where(e => request.Action.Length == 0 || e.Action == request.Action)
            .Where(e => request.Subject.Length == 0 || e.Subject == request.Subject)
            .Take(request.PageSize)
            .ToList();
        var response = new ListAuditEntriesResponse { Entries = { matching } };
        if (matching.Count == request.PageSize)
            response.NextPageToken = matching[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.FromResult(response);
    }

    public Task<VerifyAuditChainResponse> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult(Check);
}
