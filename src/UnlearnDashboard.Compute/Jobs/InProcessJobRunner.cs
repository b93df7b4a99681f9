using Microsoft.Extensions.Options;
using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Hosting;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Runs a job's engine work in this process on a dedicated thread, so long CPU-bound work never occupies a
/// thread-pool thread. Every exception the engine throws reaches the caller through the returned task. A
/// native abort in libtorch ends the whole server, so the server uses <see cref="WorkerJobRunner"/> unless
/// <c>Jobs:Runner</c> is <c>InProcess</c>.
/// </summary>
public sealed class InProcessJobRunner(
    DatasetCatalog catalog,
    ArtifactStore artifacts,
    CounterfactualCatalog counterfactuals,
    IOptions<ComputeOptions> options) : IJobRunner
{
    private readonly SeedBandCache _seedBandCache = new(options.Value.SeedBandCachePath);

    public async Task<JobRunOutput> RunAsync(JobRunInput input, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        progress.Report(new ProgressUpdate("loading", 0, $"Loading dataset {input.Dataset.Name}"));
        var data = await catalog.GetPreparedAsync(input.Dataset).WaitAsync(cancellationToken);
        var baseVersion = input.BaseVersion is null
            ? null
            : new DebiasBase(input.BaseVersion.Id, input.BaseVersion.SpecJson,
                await artifacts.ReadVerifiedAsync(input.BaseVersion.WeightsSha256, "weights", cancellationToken), input.BaseVersion.WeightsSha256);
        var counterfactualSet = input.CounterfactualSet is null
            ? null
            : new DebiasCounterfactuals(input.CounterfactualSet.Id,
                await counterfactuals.ReadSetAsync(input.CounterfactualSet, input.Dataset, cancellationToken), input.CounterfactualSet.Spec);
        cancellationToken.ThrowIfCancellationRequested();

        return await RunOnDedicatedThread($"job {input.JobId}", () => input.Kind switch
        {
            Proto.JobKind.Train => JobEngine.Train(data, input.TrainRequest!, progress, cancellationToken),
            Proto.JobKind.Debias => JobEngine.Debias(data, input.DebiasRequest!, baseVersion!, counterfactualSet, _seedBandCache, progress, cancellationToken),
            Proto.JobKind.Erase => JobEngine.Erase(data, input.ErasureRequest!, baseVersion!, progress, cancellationToken),
            _ => throw new InvalidOperationException($"Job {input.JobId} has unknown kind {input.Kind}."),
        });
    }

    private static Task<T> RunOnDedicatedThread<T>(string name, Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception error)
            {
                completion.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return completion.Task;
    }
}
