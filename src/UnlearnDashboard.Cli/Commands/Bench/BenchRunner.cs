using System.Diagnostics;
using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Commands.Debias;
using UnlearnDashboard.Cli.Commands.Train;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary>Parsed <c>unlearn bench</c> options.</summary>
internal sealed record BenchSettings(string Server, string DatasetsFolder, int GermanCreditSplits, IReadOnlyList<string> Methods, string? JsonPath);

/// <summary>
/// Runs every method on every split of every suite through the compute server, one job at a time, and
/// prints one table per suite. The original model and the baselines (retrain without the removed samples,
/// reweighing, per-group thresholds) come from the evidence of the first method that runs. Every method
/// gets its own random control and its position against the seed-noise band.
/// </summary>
internal static class BenchRunner
{
    // How long to wait for the server's demo seeding to train a demo dataset before training one here.
    private static readonly TimeSpan DemoTrainingWait = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(BenchSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        if (settings.JsonPath is not null)
            Output.ProtoJson.ValidateOutputPath(settings.JsonPath);

        var suites = BenchSuites.Create(settings.GermanCreditSplits);
        CheckDatasetFiles(suites, settings.DatasetsFolder);

        using var connection = ComputeConnection.Open(settings.Server, console);
        var watch = Stopwatch.StartNew();
        var tables = new List<BenchTable>();
        foreach (var suite in suites)
        {
            var measurements = new List<BenchMeasurement>();
            var bands = new List<BenchBand>();
            foreach (var dataset in suite.Splits)
            {
                console.Error.WriteLine($"{suite.Title}: dataset {dataset.Name} ({watch.Elapsed.TotalSeconds:F0} s so far)");
                if (await PrepareAsync(connection, console, settings, dataset, cancellationToken) is not { } versionId)
                    return ExitCodes.Failure;

                var (splitMeasurements, splitBands) = await RunMethodsAsync(connection, console, settings, dataset, versionId, cancellationToken);
                measurements.AddRange(splitMeasurements);
                bands.AddRange(splitBands);
            }

            var table = BenchReport.Summarise(suite.Title, suite.Splits.Count, measurements, bands);
            tables.Add(table);
            BenchReport.Write(table, console.Out);
        }

        console.Out.WriteLine($"total: {watch.Elapsed.TotalSeconds:F0} s");
        if (settings.JsonPath is not null)
        {
            await BenchReport.WriteJsonAsync(tables, settings.JsonPath, cancellationToken);
            console.Error.WriteLine($"Wrote the tables to {settings.JsonPath}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Throws a usage error naming <c>--datasets-folder</c> when a file that a suite uploads is missing. It runs before
    /// the first job, so that a missing file does not stop the bench halfway.
    /// </summary>
    private static void CheckDatasetFiles(IReadOnlyList<BenchSuite> suites, string folder)
    {
        var missing = suites
            .SelectMany(suite => suite.Splits)
            .Where(dataset => dataset.Upload is not null)
            .SelectMany(dataset => new[] { dataset.TrainFile, dataset.TestFile })
            .OfType<string>()
            .Distinct()
            .Where(file => !File.Exists(Path.Combine(folder, file)))
            .ToList();
        if (missing.Count > 0)
            throw new UsageException($"invalid --datasets-folder '{folder}': missing {string.Join(", ", missing)}.");
    }

    /// <summary>Returns the dataset's default model version, uploading the dataset and training it first when needed.</summary>
    private static async Task<string?> PrepareAsync(
        ComputeConnection connection,
        CliConsole console,
        BenchSettings settings,
        BenchDataset dataset,
        CancellationToken cancellationToken)
    {
        Dataset stored;
        if (dataset.Upload is null)
        {
            // A demo dataset gets its default version from the server's own seeding; wait for it rather than train twice.
            var deadline = DateTime.UtcNow + DemoTrainingWait;
            stored = await connection.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = dataset.Name }, cancellationToken: cancellationToken);
            while (stored.DefaultModelVersionId.Length == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                stored = await connection.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = dataset.Name }, cancellationToken: cancellationToken);
            }
        }
        else
        {
            string train = Path.Combine(settings.DatasetsFolder, dataset.TrainFile);
            string? test = dataset.TestFile is null ? null : Path.Combine(settings.DatasetsFolder, dataset.TestFile);
            var files = await LocalDatasetFiles.OpenAsync(train, test, cancellationToken);
            stored = await DatasetUploader.UploadOrReuseAsync(connection.Datasets, files, dataset.Upload, console.Error, cancellationToken);
        }

        if (stored.DefaultModelVersionId.Length > 0)
            return stored.DefaultModelVersionId;

        var trained = await TrainRunner.TrainAndWatchAsync(connection, console,
            new TrainModelRequest { Dataset = stored.Id, Settings = dataset.ModelSettings ?? new ModelSettings() }, cancellationToken);
        return trained.Result?.VersionId;
    }

    /// <summary>Runs every method on one split; returns their measurements and the split's seed band.</summary>
    private static async Task<(List<BenchMeasurement> Measurements, IReadOnlyList<BenchBand> Bands)> RunMethodsAsync(
        ComputeConnection connection,
        CliConsole console,
        BenchSettings settings,
        BenchDataset dataset,
        string versionId,
        CancellationToken cancellationToken)
    {
        var measurements = new List<BenchMeasurement>();
        IReadOnlyList<BenchBand> bands = [];
        double? retrainSeconds = null;
        bool first = true;
        foreach (string method in settings.Methods)
        {
            var request = new DebiasRequest
            {
                Dataset = dataset.Name,
                ModelVersionId = versionId,
                SensitiveAttribute = dataset.SensitiveColumn,
                Method = DebiasMethodOptions.Methods[method],
                Evidence = first ? BenchEvidence.WithBaselines() : BenchEvidence.PerMethod(),

                // The first method's retrain comes with its baselines. The others retrain in their own job, so that
                // both times of each speed-up come from one worker process.
                CompareRetrain = !first,
            };

            var (result, skipped) = await RunJobAsync(connection, console, request, cancellationToken);
            if (result is null)
            {
                measurements.Add(BenchMeasurement.SkippedBecause(method, skipped!));
                continue;
            }

            if (first)
            {
                var baselines = BenchEvidence.Baselines(result).ToList();
                retrainSeconds = baselines.FirstOrDefault(b => b.Method == "retrain")?.Seconds;
                measurements.Add(BenchMeasurement.FromReport("original", result.Before, BenchEvidence.Auc(result, "base"), null, null));
                measurements.AddRange(baselines);
                bands = BenchEvidence.SeedBand(result);
                first = false;
            }

            double seconds = result.Timings.RankingSeconds + result.Timings.UnlearningSeconds;

            // A method that removes no samples has no retrain of its own, so it is compared with the first method's.
            double? ownRetrainSeconds = result.Timings.RetrainSeconds > 0 ? result.Timings.RetrainSeconds : retrainSeconds;
            measurements.Add(BenchMeasurement.FromReport(method, result.After, BenchEvidence.Auc(result, "updated"), seconds, ownRetrainSeconds) with
            {
                Control = BenchEvidence.ControlMean(result),
                OutsideSeedBand = BenchEvidence.OutsideSeedBand(result),
            });
        }

        return (measurements, bands);
    }

    /// <summary>
    /// Submits a debias job and waits for it. A request the server rejects, or a job that fails, is
    /// returned as a reason to skip the method, so one unsupported combination does not stop the bench.
    /// </summary>
    private static async Task<(DebiasResult? Result, string? Skipped)> RunJobAsync(
        ComputeConnection connection,
        CliConsole console,
        DebiasRequest request,
        CancellationToken cancellationToken)
    {
        Job job;
        try
        {
            job = await connection.Jobs.SubmitDebiasAsync(request, cancellationToken: cancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.FailedPrecondition or StatusCode.InvalidArgument)
        {
            return (null, exception.Status.Detail);
        }

        var outcome = await JobFollower.FollowAsync(connection, console, job.Id, afterSequence: 0, cancellationToken);
        if (outcome is null)
            throw new OperationCanceledException(cancellationToken);
        if (outcome.Ended is { } ended)
            return (null, ended.Message);

        return outcome.Result?.Debias is { } result ? (result, null) : (null, "the job returned no debias result");
    }
}
