using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Calls the compute server's JobService.</summary>
public sealed class ComputeJobs(
    JobService.JobServiceClient jobs,
    IOptions<ComputeClientOptions> options,
    ILogger<ComputeJobs> logger) : IComputeJobs
{
    public Task<Job> SubmitDebiasAsync(DebiasRequest request, CancellationToken cancellationToken) =>
        CallAsync(deadline => jobs.SubmitDebiasAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<Job> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        CallAsync(deadline => jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<Job> CancelJobAsync(string jobId, CancellationToken cancellationToken) =>
        CallAsync(deadline => jobs.CancelJobAsync(new CancelJobRequest { JobId = jobId }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    private Task<Job> CallAsync(Func<DateTime, Task<Job>> call, CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(call, options.Value, logger, "The job request", cancellationToken);
}
