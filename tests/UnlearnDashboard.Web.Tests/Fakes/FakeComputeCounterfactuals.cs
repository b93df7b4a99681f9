using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>
/// Keeps counterfactual sets in memory in place of the compute server, including its four-eyes rule, so
/// pages can be tested against the server's responses. When <see cref="Error"/> is set, every call fails with it.
/// </summary>
public sealed class FakeComputeCounterfactuals : IComputeCounterfactuals
{
    public List<CounterfactualSet> Sets { get; } = [];

    public Dictionary<string, List<CounterfactualRowPair>> Rows { get; } = [];

    public List<GenerateCounterfactualSetRequest> Generated { get; } = [];

    public Exception? Error { get; set; }

    /// <summary>When set, approve and reject fail with it, after the page has loaded.</summary>
    public Exception? ReviewError { get; set; }

    public Task<IReadOnlyList<CounterfactualSet>> ListAsync(string? dataset, CounterfactualSetStatus? status, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        IReadOnlyList<CounterfactualSet> sets = Sets.Where(s => (dataset is null || s.DatasetId == dataset) && (status is null || s.Status == status)).ToList();
        return Task.FromResult(sets);
    }

    public Task<GetCounterfactualSetResponse> GetAsync(string setId, string pageToken, int pageSize, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        var set = Find(setId);
        var rows = Rows.GetValueOrDefault(setId) ?? [];
        int start = pageToken.Length == 0 ? 0 : int.Parse(pageToken, System.Globalization.CultureInfo.InvariantCulture);
        var response = new GetCounterfactualSetResponse { Set = set.Clone(), Rows = { rows.Skip(start).Take(pageSize) } };
        if (start + pageSize < rows.Count)
            response.NextPageToken = (start + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.FromResult(response);
    }

    public Task<CounterfactualSet> GenerateAsync(GenerateCounterfactualSetRequest request, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        Generated.Add(request);
        var set = new CounterfactualSet { Id = $"set-{Sets.Count + 1}", DatasetId = request.Dataset, RequestedBy = request.RequestedBy, Status = CounterfactualSetStatus.Pending, Spec = request };
        Sets.Add(set);
        return Task.FromResult(set);
    }

    public Task<CounterfactualSet> ApproveAsync(string setId, string reviewer, string comment, CancellationToken cancellationToken) =>
        Review(setId, reviewer, comment, CounterfactualSetStatus.Approved);

    public Task<CounterfactualSet> RejectAsync(string setId, string reviewer, string comment, CancellationToken cancellationToken) =>
        Review(setId, reviewer, comment, CounterfactualSetStatus.Rejected);

    private Task<CounterfactualSet> Review(string setId, string reviewer, string comment, CounterfactualSetStatus status)
    {
        ThrowIfFailing();
        if (ReviewError is not null)
            throw ReviewError;

        var set = Find(setId);
        if (set.RequestedBy == reviewer)
            throw new ComputeUnavailableException($"{reviewer} requested set {setId} and cannot review it.", new InvalidOperationException("four-eyes"));

        set.Status = status;
        set.ReviewedBy = reviewer;
        set.ReviewComment = comment;
        return Task.FromResult(set.Clone());
    }

    private CounterfactualSet Find(string setId) =>
        Sets.FirstOrDefault(s => s.Id == setId)
        ?? throw new ComputeUnavailableException($"Counterfactual set '{setId}' was not found.", new KeyNotFoundException(setId));

    private void ThrowIfFailing()
    {
        if (Error is not null)
            throw Error;
    }
}
