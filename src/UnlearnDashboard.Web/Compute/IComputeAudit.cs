using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Reads and verifies the compute server's audit trail.</summary>
/// <remarks>Each method throws <see cref="ComputeUnavailableException"/> with the server's message when the call fails.</remarks>
public interface IComputeAudit
{
    Task<ListAuditEntriesResponse> ListAsync(ListAuditEntriesRequest request, CancellationToken cancellationToken);

    Task<VerifyAuditChainResponse> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary>Calls the compute server's AuditService.</summary>
public sealed class ComputeAudit(
    AuditService.AuditServiceClient audit,
    Microsoft.Extensions.Options.IOptions<ComputeClientOptions> options,
    ILogger<ComputeAudit> logger) : IComputeAudit
{
    public Task<ListAuditEntriesResponse> ListAsync(ListAuditEntriesRequest request, CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(
            deadline => audit.ListAuditEntriesAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            options.Value, logger, "The audit request", cancellationToken);

    public Task<VerifyAuditChainResponse> VerifyAsync(CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(
            deadline => audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            options.Value, logger, "The audit check", cancellationToken);
}
