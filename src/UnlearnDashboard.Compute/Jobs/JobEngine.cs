using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Compute.Models;
using UnlearnDashboard.Engine.Counterfactuals;
using UnlearnDashboard.Engine.Data;
using UnlearnDashboard.Engine.Evidence;
using UnlearnDashboard.Engine.Models;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Jobs;

/// <summary>
/// A job's engine work on inputs already read from the artifacts: training or bias removal, then the new
/// weights serialized. Both runners call it, the in-process one on a thread and the worker process on its
/// main thread. It touches neither the database nor the artifact store.
/// </summary>
internal static class JobEngine
{
    /// <summary>Loads a stored dataset from its train and (optional) test file contents.</summary>
    public static PreparedDataset LoadDataset(string name, string definitionJson, byte[] train, byte[]? test)
    {
        using var trainStream = new MemoryStream(train, writable: false);
        using var testStream = test is null ? null : new MemoryStream(test, writable: false);
        return LoadDataset(name, definitionJson, trainStream, testStream);
    }

    /// <summary>Loads a stored dataset from seekable streams of its train and (optional) test files, which the CSV reader reads block by block.</summary>
    public static PreparedDataset LoadDataset(string name, string definitionJson, Stream train, Stream? test)
    {
        var definition = DatasetMapper.DefinitionFromJson(definitionJson);
        return DatasetLoader.Load(definition, train, $"{name} train file", test, test is null ? null : $"{name} test file");
    }

    public static JobRunOutput Train(
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
        VersionReportIntervals.Attach(testReport, model, data, cancellationToken);
        var result = new Proto.JobResult
        {
            Train = new Proto.TrainResult { TestReport = testReport, TrainingSeconds = outcome.TrainingSeconds },
        };
        return new JobRunOutput(weights, sha256, model.Spec.ToJson(), testReport, [], result);
    }

    /// <summary>
    /// Runs a debias job. An approved counterfactual set supplies both its rows and its value maps, so
    /// counterfactual replacement maps training rows the way the reviewed set does. The seed-noise band's
    /// trainings are read from and written to <paramref name="seedBandCache"/>.
    /// </summary>
    public static JobRunOutput Debias(
        PreparedDataset data,
        Proto.DebiasRequest request,
        DebiasBase baseVersion,
        DebiasCounterfactuals? counterfactuals,
        SeedBandCache seedBandCache,
        IProgress<ProgressUpdate> progress,
        CancellationToken cancellationToken)
    {
        var spec = ModelSpec.FromJson(baseVersion.SpecJson);
        using var model = TrainedModel.Load(spec, baseVersion.Weights, baseVersion.WeightsSha256, $"of version {baseVersion.Id}");
        var counterfactualSpec = counterfactuals is null
            ? null
            : Proto.GenerateCounterfactualSetRequest.Parser.ParseFrom(counterfactuals.Spec).ToEngineSpec(data.Definition.SensitiveColumn);
        var options = request.ToOptions(counterfactuals?.Set, counterfactualSpec);
        using var outcome = DebiasPipeline.Run(model, data, options, progress, cancellationToken, seedBandCache);

        var (weights, sha256) = SaveWeights(outcome.UpdatedModel);
        var debias = outcome.ToProto(baseVersion.Id, counterfactuals?.Id);
        VersionReportIntervals.Attach(debias.After, outcome.UpdatedModel, data, cancellationToken);
        var result = new Proto.JobResult { Debias = debias };
        return new JobRunOutput(weights, sha256, outcome.UpdatedModel.Spec.ToJson(), debias.After, outcome.RemovedRowIds, result);
    }

    /// <summary>Runs an erasure job: Newton removal of the request's rows, then the membership-inference check.</summary>
    public static JobRunOutput Erase(
        PreparedDataset data,
        Proto.ErasureRequest request,
        DebiasBase baseVersion,
        IProgress<ProgressUpdate> progress,
        CancellationToken cancellationToken)
    {
        var spec = ModelSpec.FromJson(baseVersion.SpecJson);
        using var model = TrainedModel.Load(spec, baseVersion.Weights, baseVersion.WeightsSha256, $"of version {baseVersion.Id}");
        using var outcome = ErasurePipeline.Run(model, data, request.RowIds, request.ToOptions(), progress, cancellationToken);

        var (weights, sha256) = SaveWeights(outcome.UpdatedModel);
        var erasure = outcome.ToProto(baseVersion.Id, request.RowIds.Count);
        VersionReportIntervals.Attach(erasure.After, outcome.UpdatedModel, data, cancellationToken);
        return new JobRunOutput(weights, sha256, outcome.UpdatedModel.Spec.ToJson(), erasure.After, outcome.TrainedRowIds,
            new Proto.JobResult { Erasure = erasure });
    }

    private static (byte[] Weights, string Sha256) SaveWeights(TrainedModel model)
    {
        using var buffer = new MemoryStream();
        string sha256 = model.SaveWeights(buffer);
        return (buffer.ToArray(), sha256);
    }
}

/// <summary>The version a debias job starts from: its id, model spec and weights (checked against the hash on load).</summary>
internal sealed record DebiasBase(string Id, string SpecJson, byte[] Weights, string WeightsSha256);

/// <summary>The approved counterfactual set a debias job uses: its id, rows and serialized generation request.</summary>
internal sealed record DebiasCounterfactuals(string Id, CounterfactualSet Set, byte[] Spec);
