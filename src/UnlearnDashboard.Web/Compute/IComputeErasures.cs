using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Submits erasure jobs and reads erasure certificates on the compute server.</summary>
/// <remarks>Each method throws <see cref="ComputeUnavailableException"/> with the server's message when the call fails.</remarks>
public interface IComputeErasures
{
    /// <summary>Queues the erasure job, which the job view and the jobs hub follow like any other job.</summary>
    Task<Job> SubmitAsync(ErasureRequest request, CancellationToken cancellationToken);

    /// <summary>Returns a certificate by erasure id or by the id of the job that made it.</summary>
    Task<ErasureCertificate> GetCertificateAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists the certificates, newest first; a null dataset lists them all.</summary>
    Task<IReadOnlyList<ErasureCertificate>> ListAsync(string? dataset, CancellationToken cancellationToken);
}

/// <summary>Calls the compute server's ErasureService.</summary>
public sealed class ComputeErasures(
    ErasureService.ErasureServiceClient erasures,
    IOptions<ComputeClientOptions> options,
    ILogger<ComputeErasures> logger) : IComputeErasures
{
    public Task<Job> SubmitAsync(ErasureRequest request, CancellationToken cancellationToken) =>
        CallAsync(deadline => erasures.SubmitErasureAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<ErasureCertificate> GetCertificateAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(deadline => erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = id }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken);

    public Task<IReadOnlyList<ErasureCertificate>> ListAsync(string? dataset, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<ErasureCertificate>>(async deadline =>
            (await erasures.ListErasuresAsync(new ListErasuresRequest { Dataset = dataset ?? "" }, deadline: deadline, cancellationToken: cancellationToken)).Certificates,
            cancellationToken);

    private Task<T> CallAsync<T>(Func<DateTime, Task<T>> call, CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(call, options.Value, logger, "The erasure request", cancellationToken);
}
