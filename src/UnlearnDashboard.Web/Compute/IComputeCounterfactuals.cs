using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Generates, reads and reviews counterfactual sets on the compute server.</summary>
/// <remarks>Each method throws <see cref="ComputeUnavailableException"/> with the server's message when the call fails.</remarks>
public interface IComputeCounterfactuals
{
    /// <summary>Lists sets without their rows, newest first; a null dataset or status lists them all.</summary>
    Task<IReadOnlyList<CounterfactualSet>> ListAsync(string? dataset, CounterfactualSetStatus? status, CancellationToken cancellationToken);

    /// <summary>Returns a set with one page of its row pairs; an empty token reads the first page.</summary>
    Task<GetCounterfactualSetResponse> GetAsync(string setId, string pageToken, int pageSize, CancellationToken cancellationToken);

    Task<CounterfactualSet> GenerateAsync(GenerateCounterfactualSetRequest request, CancellationToken cancellationToken);

    Task<CounterfactualSet> ApproveAsync(string setId, string reviewer, string comment, CancellationToken cancellationToken);

    Task<CounterfactualSet> RejectAsync(string setId, string reviewer, string comment, CancellationToken cancellationToken);
}

/// <summary>Calls the compute server's CounterfactualService.</summary>
public sealed class ComputeCounterfactuals(
    CounterfactualService.CounterfactualServiceClient counterfactuals,
    Microsoft.Extensions.Options.IOptions<ComputeClientOptions> options,
    ILogger<ComputeCounterfactuals> logger) : IComputeCounterfactuals
{
    public Task<IReadOnlyList<CounterfactualSet>> ListAsync(string? dataset, CounterfactualSetStatus? status, CancellationToken cancellationToken)
    {
        var request = new ListCounterfactualSetsRequest { Dataset = dataset ?? "", Status = status ?? CounterfactualSetStatus.Unspecified };
        return CallAsync<IReadOnlyList<CounterfactualSet>>(async deadline =>
            (await counterfactuals.ListCounterfactualSetsAsync(request, deadline: deadline, cancellationToken: cancellationToken)).Sets, cancellationToken);
    }

    public Task<GetCounterfactualSetResponse> GetAsync(string setId, string pageToken, int pageSize, CancellationToken cancellationToken)
    {
        var request = new GetCounterfactualSetRequest { SetId = setId, PageToken = pageToken, PageSize = pageSize };
        return CallAsync(deadline => counterfactuals.GetCounterfactualSetAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    public Task<CounterfactualSet> GenerateAsync(GenerateCounterfactualSetRequest request, CancellationToken cancellationToken) =>
        CallAsync(deadline => counterfactuals.GenerateCounterfactualSetAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<CounterfactualSet> ApproveAsync(string setId, string reviewer, string comment, CancellationToken cancellationToken)
    {
        var request = new ReviewCounterfactualSetRequest { SetId = setId, Reviewer = reviewer, Comment = comment };
        return CallAsync(deadline => counterfactuals.ApproveCounterfactualSetAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    public Task<CounterfactualSet> RejectAsync(string setId, string reviewer, string comment, CancellationToken cancellationToken)
    {
        var request = new ReviewCounterfactualSetRequest { SetId = setId, Reviewer = reviewer, Comment = comment };
        return CallAsync(deadline => counterfactuals.RejectCounterfactualSetAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    private Task<T> CallAsync<T>(Func<DateTime, Task<T>> call, CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(call, options.Value, logger, "The counterfactual set request", cancellationToken);
}
