using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Runs one job's engine work and returns its result. This is the only place the scheduler touches the
/// engine, so the work can move into a worker process (where a native abort in libtorch cannot take down
/// the server) without changing the scheduler. Inputs and outputs are plain data for that reason.
/// </summary>
public interface IJobRunner
{
    /// <summary>
    /// Runs the job, reporting progress as it goes. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires and <see cref="UnlearnDashboard.Engine.EngineException"/>
    /// for a failure the engine explains.
    /// </summary>
    Task<JobRunOutput> RunAsync(JobRunInput input, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken);
}

/// <summary>
/// What a job runs on: its request, its dataset and, for a debias job, the version it starts from and the
/// approved counterfactual set it uses, if any.
/// </summary>
public sealed record JobRunInput(
    string JobId,
    Proto.JobKind Kind,
    Proto.TrainModelRequest? TrainRequest,
    Proto.DebiasRequest? DebiasRequest,
    DatasetRow Dataset,
    ModelVersionRow? BaseVersion,
    CounterfactualSetRow? CounterfactualSet = null,
    Proto.ErasureRequest? ErasureRequest = null);

/// <summary>
/// A finished job's new weights and result. The result's model and version ids are empty; the scheduler
/// fills them in when it commits the version.
/// </summary>
public sealed record JobRunOutput(
    byte[] Weights,
    string WeightsSha256,
    string SpecJson,
    Proto.FairnessReport TestReport,
    IReadOnlyList<long> RemovedRowIds,
    Proto.JobResult Result);
