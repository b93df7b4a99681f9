using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Submits, reads and cancels jobs on the compute server.</summary>
/// <remarks>Each method throws <see cref="ComputeUnavailableException"/> with the server's message when the call fails.</remarks>
public interface IComputeJobs
{
    Task<Job> SubmitDebiasAsync(DebiasRequest request, CancellationToken cancellationToken);

    Task<Job> GetJobAsync(string jobId, CancellationToken cancellationToken);

    Task<Job> CancelJobAsync(string jobId, CancellationToken cancellationToken);
}
