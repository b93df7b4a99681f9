using System.ComponentModel.DataAnnotations;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>Where jobs run, bound from the <c>Jobs</c> section.</summary>
public sealed class JobRunnerOptions
{
    /// <summary>
    /// <c>Worker</c> (the default) runs each job in its own worker process, so a native crash in libtorch
    /// fails only that job. <c>InProcess</c> runs jobs on a thread of the server, without that protection.
    /// </summary>
    public JobRunnerKind Runner { get; set; } = JobRunnerKind.Worker;
}

public enum JobRunnerKind
{
    Worker,
    InProcess,
}

/// <summary>
/// Test-only faults, bound from <c>Testing:FaultInjection</c> and off unless <see cref="Dataset"/> is set.
/// Jobs on that dataset misbehave at the <see cref="Occurrence"/>-th progress report of
/// <see cref="Phase"/>, so tests can kill the server or the worker at a known point of a job, or make it
/// report progress at a steady rate.
/// </summary>
public sealed class FaultInjectionOptions : IValidatableObject
{
    public const string SectionName = "Testing:FaultInjection";

    /// <summary>Id or name of the dataset whose jobs get the fault; unset (the default) turns faults off.</summary>
    public string? Dataset { get; set; }

    /// <summary>
    /// Progress phase of the fault, for example <c>ranking</c>, <c>unlearning</c>, <c>evaluating</c> or
    /// <c>saving</c>. The worker acts on the engine's phases; the server itself acts on <c>saving</c>, after
    /// the new weights are stored as an artifact and before the version is committed.
    /// </summary>
    public string? Phase { get; set; }

    /// <summary>Which report of <see cref="Phase"/> triggers the fault, counting from 1. Default 1.</summary>
    [Range(1, 1_000_000)]
    public int Occurrence { get; set; } = 1;

    public FaultKind Action { get; set; } = FaultKind.Pause;

    /// <summary>Progress events that <see cref="FaultKind.EmitProgress"/> reports; required with that action.</summary>
    [Range(1, 1_000_000)]
    public int? EventCount { get; set; }

    /// <summary>Rate of <see cref="FaultKind.EmitProgress"/>'s events per second. Default 10.</summary>
    [Range(0.1, 1000.0)]
    public double EventsPerSecond { get; set; } = 10;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string section = SectionName + ":";
        if (Action == FaultKind.EmitProgress && EventCount is null)
        {
            yield return new ValidationResult(
                $"{section}{nameof(EventCount)} is required when {section}{nameof(Action)} is {FaultKind.EmitProgress}.",
                [nameof(EventCount)]);
        }

        if (Action == FaultKind.EmitProgress && string.IsNullOrEmpty(Phase))
        {
            yield return new ValidationResult(
                $"{section}{nameof(Phase)} is required when {section}{nameof(Action)} is {FaultKind.EmitProgress}.",
                [nameof(Phase)]);
        }

        if (EventCount is { } count && (Action != FaultKind.EmitProgress || string.IsNullOrEmpty(Dataset)))
        {
            yield return new ValidationResult(
                $"{section}{nameof(EventCount)} is {count}, but it applies only when {section}{nameof(Dataset)} is set " +
                $"(test faults are on) and {section}{nameof(Action)} is {FaultKind.EmitProgress}.",
                [nameof(EventCount)]);
        }
    }

    /// <summary>Returns true when faults are on and apply to the dataset with this id and name.</summary>
    public bool AppliesTo(string datasetId, string datasetName) =>
        !string.IsNullOrEmpty(Dataset) && (Dataset == datasetId || Dataset == datasetName);
}

public enum FaultKind
{
    /// <summary>Block the job until it is cancelled or the server stops.</summary>
    Pause,

    /// <summary>Call the C library's <c>abort()</c> in the worker process (SIGABRT).</summary>
    Abort,

    /// <summary>Make libtorch fail a native check in the worker process where the error cannot be caught.</summary>
    NativeError,

    /// <summary>
    /// Report <see cref="FaultInjectionOptions.EventCount"/> more progress events of the phase in the worker, at
    /// <see cref="FaultInjectionOptions.EventsPerSecond"/>, then go on with the job; for live-stream benchmarks.
    /// </summary>
    EmitProgress,
}
