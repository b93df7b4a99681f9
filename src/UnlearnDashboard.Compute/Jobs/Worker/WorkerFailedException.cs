namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>
/// A worker process that died or failed without an engine error. <see cref="Exception.Message"/> is the
/// reason the job's final event shows, for example that a signal killed the worker during ranking.
/// </summary>
public sealed class WorkerFailedException(string message) : Exception(message);
