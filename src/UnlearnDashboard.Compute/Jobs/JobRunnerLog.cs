namespace UnlearnDashboard.Compute.Jobs;

/// <summary>Log messages of worker processes, commit recovery and test faults, with event ids 350 to 369.</summary>
internal static partial class JobRunnerLog
{
    [LoggerMessage(EventId = 350, Level = LogLevel.Information, Message = "Job {JobId} runs in worker process {ProcessId}, which answered {Milliseconds:F0} ms after its start")]
    public static partial void WorkerStarted(this ILogger logger, string jobId, int processId, double milliseconds);

    [LoggerMessage(EventId = 351, Level = LogLevel.Debug, Message = "Worker process {ProcessId} of job {JobId} wrote: {Line}")]
    public static partial void WorkerOutput(this ILogger logger, string jobId, int processId, string line);

    [LoggerMessage(EventId = 352, Level = LogLevel.Warning, Message = "Worker process {ProcessId} of job {JobId} did not stop within {Seconds} s of the cancel request; killed it")]
    public static partial void WorkerKilled(this ILogger logger, string jobId, int processId, double seconds);

    [LoggerMessage(EventId = 353, Level = LogLevel.Error, Message = "Worker process {ProcessId} of job {JobId} ended without a result: {Reason} Its last stderr lines:\n{StderrTail}")]
    public static partial void WorkerDied(this ILogger logger, string jobId, int processId, string reason, string stderrTail);

    [LoggerMessage(EventId = 354, Level = LogLevel.Error, Message = "Worker process {ProcessId} of job {JobId} failed unexpectedly: {Error}")]
    public static partial void WorkerFailed(this ILogger logger, string jobId, int processId, string error);

    [LoggerMessage(EventId = 355, Level = LogLevel.Warning, Message = "Fault injection paused job {JobId} at phase {Phase}")]
    public static partial void FaultPaused(this ILogger logger, string jobId, string phase);

    [LoggerMessage(EventId = 356, Level = LogLevel.Warning, Message = "Removed weights artifact {Sha256} that job {JobId} stored but never committed as a version")]
    public static partial void UncommittedArtifactRemoved(this ILogger logger, string jobId, string sha256);

    [LoggerMessage(EventId = 357, Level = LogLevel.Warning, Message = "Fault injection is on: jobs on dataset {Dataset} get {Action} at report {Occurrence} of phase {Phase}")]
    public static partial void FaultInjectionEnabled(this ILogger logger, string dataset, string action, int occurrence, string phase);
}
