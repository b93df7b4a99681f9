using UnlearnDashboard.Compute.Counterfactuals;
using UnlearnDashboard.Compute.Datasets;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// Runs a job's engine work in this process on a dedicated thread, so long CPU-bound work never occupies a
/// thread-pool thread. Every exception the engine throws reaches the caller through the returned task.
/// </summary>
public sealed class InProcessJobRunner(DatasetCatalog catalog, ArtifactStore artifacts, CounterfactualCatalog counterfactuals) : IJobRunner
{
    public async Task<JobRunOutput> RunAsync(JobRunInput input, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        progress.Report(new ProgressUpdate("loading", 0, $"Loading dataset {input.Dataset.Name}"));
        var data = await catalog.GetPreparedAsync(input.Dataset).WaitAsync(cancellationToken);
        byte[]? baseWeights = input.BaseVersion is null
            ? null
            : await artifacts.ReadVerifiedAsync(input.BaseVersion.WeightsSha256, "weights", cancellationToken);
        var counterfactualSet = input.CounterfactualSet is null
            ? null
            : await counterfactuals.ReadSetAsync(input.CounterfactualSet, input.Dataset, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        return await RunOnDedicatedThread($"job {input.JobId}", () => input.Kind switch
        {
            Proto.JobKind.Train => Train(data, input.TrainRequest!, progress, cancellationToken),
            Proto.JobKind.Debias => Debias(data, input, baseWeights!, counterfactualSet, progress, cancellationToken),
            _ => throw new InvalidOperationException($"Job {input.JobId} has unknown kind {input.Kind}."),
        });
    }

    private static JobRunOutput Train(
        PreparedDataset data,
        Proto.TrainModelRequest request,
        IProgress<ProgressUpdate> progress,
        CancellationToken cancellationToken)
    {
        var settings = request.Settings.ToEngine("settings");
        var outcome = TrainingPipeline.Run(data, settings, progress, cancellationToken);
        using var model = outcome.Model;

        var (weights, sha256) = SaveWeights(model);
        var testReport = outcome.TestReport.ToProto();
        var result = new Proto.JobResult
        {
            Train = new Proto.TrainResult { TestReport = testReport, TrainingSeconds = outcome.TrainingSeconds },
        };
        return new JobRunOutput(weights, sha256, model.Spec.ToJson(), testReport, [], result);
    }

    /// <summary>
    /// Runs a debias job. An approved counterfactual set supplies both its rows and its value maps, so
    /// counterfactual replacement maps training rows the way the reviewed set does.
    /// </summary>
    private static JobRunOutput Debias(
        PreparedDataset data,
        JobRunInput input,
        byte[] baseWeights,
        CounterfactualSet? counterfactualSet,
        IProgress<ProgressUpdate> progress,
        CancellationToken cancellationToken)
    {
        var baseVersion = input.BaseVersion!;
        var spec = ModelSpec.FromJson(baseVersion.SpecJson);
        using var model = TrainedModel.Load(spec, baseWeights, baseVersion.WeightsSha256, $"of version {baseVersion.Id}");
        var counterfactualSpec = input.CounterfactualSet is null
            ? null
            : Proto.GenerateCounterfactualSetRequest.Parser.ParseFrom(input.CounterfactualSet.Spec).ToEngineSpec(data.Definition.SensitiveColumn);
        var options = input.DebiasRequest!.ToOptions(counterfactualSet, counterfactualSpec);
        using var outcome = DebiasPipeline.Run(model, data, options, progress, cancellationToken);

        var (weights, sha256) = SaveWeights(outcome.UpdatedModel);
        var debias = outcome.ToProto(baseVersion.Id, input.CounterfactualSet?.Id);
        var result = new Proto.JobResult { Debias = debias };
        return new JobRunOutput(weights, sha256, outcome.UpdatedModel.Spec.ToJson(), debias.After, outcome.RemovedRowIds, result);
    }

    private static (byte[] Weights, string Sha256) SaveWeights(TrainedModel model)
    {
        using var buffer = new MemoryStream();
        string sha256 = model.SaveWeights(buffer);
        return (buffer.ToArray(), sha256);
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
