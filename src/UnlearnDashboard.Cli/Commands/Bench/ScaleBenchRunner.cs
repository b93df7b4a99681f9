using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Commands.Generate;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary>Parsed <c>unlearn bench-scale</c> options.</summary>
internal sealed record ScaleBenchSettings(
    string Server,
    IReadOnlyList<long> Sizes,
    string Folder,
    int Seed,
    int Epochs,
    int BatchSize,
    string Source,
    string? JsonPath);

/// <summary>One size's measurements. The phase seconds come from the job results, and the peaks are the workers' VmHWM in bytes.</summary>
internal sealed record ScaleMeasurement(
    long Rows,
    long FileBytes,
    long TrainRows,
    double UploadSeconds,
    double TrainingSeconds,
    double RankingSeconds,
    double UnlearningSeconds,
    double TotalSeconds,
    long TrainPeakBytes,
    long DebiasPeakBytes);

/// <summary>
/// Runs the scaling benchmark: for each size, generate the file, upload it, train the default MLP, then debias with
/// influence-newton on every layer without evidence, one job at a time, and print one row per size.
/// </summary>
internal static class ScaleBenchRunner
{
    public static readonly IReadOnlyList<long> DefaultSizes = [100_000, 300_000, 1_000_000];

    /// <summary>Two epochs, so that training does not take most of the benchmark's time; --epochs sets more.</summary>
    public const int DefaultEpochs = 2;

    /// <summary>Larger than the server's default of 256, so an epoch over a million rows takes fewer optimiser steps.</summary>
    public const int DefaultBatchSize = 1024;

    private static readonly string[] AllLayers = ["fc1", "fc2", "fc3"];

    public static async Task<int> RunAsync(ScaleBenchSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        if (settings.JsonPath is not null)
            ProtoJson.ValidateOutputPath(settings.JsonPath);
        if (!Directory.Exists(settings.Folder))
            throw new UsageException($"folder not found: '{Path.GetFullPath(settings.Folder)}' (given to --folder).");

        using var connection = ComputeConnection.Open(settings.Server, console);
        var measurements = new List<ScaleMeasurement>();
        foreach (long rows in settings.Sizes)
        {
            if (await MeasureAsync(connection, console, settings, rows, cancellationToken) is not { } measurement)
                return ExitCodes.Failure;

            measurements.Add(measurement);
        }

        Write(measurements, settings, console.Out);
        if (settings.JsonPath is not null)
        {
            await using var stream = File.Create(settings.JsonPath);
            await JsonSerializer.SerializeAsync(stream, new { settings.Epochs, settings.BatchSize, settings.Seed, measurements },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }, cancellationToken);
            console.Error.WriteLine($"Wrote the table to {settings.JsonPath}.");
        }

        return ExitCodes.Success;
    }

    private static async Task<ScaleMeasurement?> MeasureAsync(
        ComputeConnection connection,
        CliConsole console,
        ScaleBenchSettings settings,
        long rows,
        CancellationToken cancellationToken)
    {
        string name = FormattableString.Invariant($"scale-adult-{rows}-seed{settings.Seed}");
        string path = Path.Combine(settings.Folder, name + ".csv");
        console.Error.WriteLine($"{Formats.Count(rows)} rows: generating {path}");
        long fileBytes = GenerateCommand.Generate(settings.Source, path, rows, settings.Seed, cancellationToken);

        var watch = Stopwatch.StartNew();
        var files = await LocalDatasetFiles.OpenAsync(path, null, cancellationToken);
        var spec = new DatasetSpec
        {
            Name = name,
            LabelColumn = "income",
            FavourableLabel = ">50K",
            SensitiveColumn = "sex",
            ValidationFraction = 0.1,
            TestFraction = 0.2,
        };
        var stored = await DatasetUploader.UploadOrReuseAsync(connection.Datasets, files, spec, console.Error, cancellationToken);
        double uploadSeconds = watch.Elapsed.TotalSeconds;

        var trainRequest = new TrainModelRequest
        {
            Dataset = stored.Id,
            Settings = new ModelSettings { Epochs = settings.Epochs, BatchSize = settings.BatchSize },
        };
        var train = await FollowAsync(connection, console, await connection.Jobs.TrainModelAsync(trainRequest, cancellationToken: cancellationToken), cancellationToken);
        if (train?.Train is not { } trained)
            return null;

        var debiasRequest = new DebiasRequest
        {
            Dataset = stored.Id,
            ModelVersionId = trained.VersionId,
            SensitiveAttribute = "sex",
            Method = DebiasMethod.InfluenceNewton,
            RemoveFraction = 0.05,
            Evidence = new EvidenceRequest { GroupThresholds = false, RandomControl = false, MembershipInference = false },
        };
        debiasRequest.Layers.AddRange(AllLayers);
        var debias = await FollowAsync(connection, console, await connection.Jobs.SubmitDebiasAsync(debiasRequest, cancellationToken: cancellationToken), cancellationToken);
        if (debias?.Debias is not { } debiased)
            return null;

        return new ScaleMeasurement(
            rows,
            fileBytes,
            stored.TrainRows,
            uploadSeconds,
            trained.TrainingSeconds,
            debiased.Timings.RankingSeconds,
            debiased.Timings.UnlearningSeconds,
            watch.Elapsed.TotalSeconds,
            train.WorkerPeakResidentBytes,
            debias.WorkerPeakResidentBytes);
    }

    /// <summary>Follows a job to its end; returns its result, or null after printing why it did not succeed.</summary>
    private static async Task<JobResult?> FollowAsync(ComputeConnection connection, CliConsole console, Job job, CancellationToken cancellationToken)
    {
        console.Error.WriteLine($"Submitted {job.Kind} job {job.Id}.");
        var outcome = await JobFollower.FollowAsync(connection, console, job.Id, afterSequence: 0, cancellationToken);
        if (outcome is null)
            throw new OperationCanceledException(cancellationToken);
        if (outcome.Ended is { } ended)
            console.Error.WriteLine($"error: job {job.Id} ended {ended.State}: {ended.Message}");

        return outcome.Result;
    }

    /// <summary>Prints one row per size: the phases' seconds as the jobs report them and the workers' peak resident memory.</summary>
    internal static void Write(IReadOnlyList<ScaleMeasurement> measurements, ScaleBenchSettings settings, TextWriter writer)
    {
        writer.WriteLine(FormattableString.Invariant(
            $"influence-newton on fc1, fc2, fc3; default MLP [64, 32], {settings.Epochs} epochs, batch {settings.BatchSize}; generator seed {settings.Seed}"));
        var table = new TextTable("rows", "train rows", "file MiB", "upload s", "train s", "rank s", "unlearn s", "total s", "train peak MiB", "debias peak MiB")
            .AlignRight(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        foreach (var m in measurements)
        {
            table.AddRow(
                Formats.Count(m.Rows),
                Formats.Count(m.TrainRows),
                Mebibytes(m.FileBytes),
                Seconds(m.UploadSeconds),
                Seconds(m.TrainingSeconds),
                Seconds(m.RankingSeconds),
                Seconds(m.UnlearningSeconds),
                Seconds(m.TotalSeconds),
                m.TrainPeakBytes > 0 ? Mebibytes(m.TrainPeakBytes) : "-",
                m.DebiasPeakBytes > 0 ? Mebibytes(m.DebiasPeakBytes) : "-");
        }

        table.Write(writer);
        writer.WriteLine("total s runs from the upload's start to the debias job's end; a peak of '-' means the job ran inside the server's process.");
    }

    private static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture);

    private static string Mebibytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F0", CultureInfo.InvariantCulture);
}
