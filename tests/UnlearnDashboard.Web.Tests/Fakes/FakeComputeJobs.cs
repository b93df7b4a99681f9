using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Records job calls and answers them from settable values, in place of the compute server.</summary>
public sealed class FakeComputeJobs : IComputeJobs
{
    public List<DebiasRequest> Submitted { get; } = [];

    public List<string> Cancelled { get; } = [];

    public Job Job { get; set; } = new() { Id = "job-1", State = JobState.Running };

    public Exception? SubmitError { get; set; }

    public Exception? CancelError { get; set; }

    public Exception? GetError { get; set; }

    public Task<Job> SubmitDebiasAsync(DebiasRequest request, CancellationToken cancellationToken)
    {
        Submitted.Add(request);
        return SubmitError is null ? Task.FromResult(Job) : Task.FromException<Job>(SubmitError);
    }

    public Task<Job> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        GetError is null ? Task.FromResult(Job.Clone()) : Task.FromException<Job>(GetError);

    public Task<Job> CancelJobAsync(string jobId, CancellationToken cancellationToken)
    {
        Cancelled.Add(jobId);
        return CancelError is null ? Task.FromResult(Job) : Task.FromException<Job>(CancelError);
    }
}
