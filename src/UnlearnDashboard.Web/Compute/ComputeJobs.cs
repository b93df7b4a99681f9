using Grpc.Core;
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

    private async Task<Job> CallAsync(Func<DateTime, Task<Job>> call, CancellationToken cancellationToken)
    {
        var computeUrl = options.Value.ComputeUrl;
        try
        {
            return await call(DateTime.UtcNow.AddSeconds(options.Value.CallTimeoutSeconds));
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The job request was cancelled.", exception, cancellationToken);
        }
        catch (RpcException exception)
        {
            WebLog.ComputeCallFailed(logger, computeUrl, exception.StatusCode, exception);
            throw new ComputeUnavailableException(ComputeErrors.Describe(exception, computeUrl), exception);
        }
    }
}
