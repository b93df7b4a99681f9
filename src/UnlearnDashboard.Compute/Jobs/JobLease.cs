namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// A compute server's hold on a running job of the PostgreSQL job queue: the server's id and the attempt
/// that it started. A reclaim by another server starts a new attempt, so an old lease never matches again.
/// </summary>
public sealed record JobLease(string Owner, int Attempt);

/// <summary>Thrown when a server writes to a job that another server has taken over after its lease expired.</summary>
public sealed class JobLeaseLostException(string jobId)
    : Exception($"Job {jobId} is no longer leased by this server: another server took it over after the lease expired.");
