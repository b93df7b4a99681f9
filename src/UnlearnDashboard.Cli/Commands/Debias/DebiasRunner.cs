using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Commands.Train;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Debias;

/// <summary>Runs <c>unlearn debias</c>: optional upload and training, then the debias job.</summary>
internal static class DebiasRunner
{
    public static async Task<int> RunAsync(DebiasSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        // Check every local input before the first request, so that bad input sends nothing.
        ProtoJson.ValidateOutputPath(settings.JsonPath);
        var files = settings.Upload is { } upload
            ? await LocalDatasetFiles.OpenAsync(upload.TrainPath, upload.TestPath, cancellationToken)
            : null;

        using var connection = ComputeConnection.Open(settings.Server, console);
        var request = settings.Request.Clone();

        if (settings.Upload is not null && files is not null)
        {
            var trained = await UploadAndTrainAsync(connection, console, settings.Upload, files, cancellationToken);
            if (trained.ExitCode != ExitCodes.Success)
            {
                return trained.ExitCode;
            }

            request.Dataset = trained.DatasetId;
            request.ModelVersionId = trained.VersionId;
        }

        var job = await connection.Jobs.SubmitDebiasAsync(request, cancellationToken: cancellationToken);
        console.Error.WriteLine($"Submitted debias job {job.Id}.");

        var outcome = await JobFollower.FollowAsync(connection, console, job.Id, afterSequence: 0, cancellationToken);
        if (outcome is not { Succeeded: true })
        {
            return JobFollower.ExitCodeFor(outcome);
        }

        if (ExpectedResult.Debias(outcome, console.Error) is not { } result)
        {
            return ExitCodes.Failure;
        }

        await WriteResultAsync(result, settings.JsonPath, console, cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>Writes the summary table, to stderr when stdout carries the JSON, and the JSON file.</summary>
    internal static async Task WriteResultAsync(DebiasResult result, string? jsonPath, CliConsole console, CancellationToken cancellationToken)
    {
        var summaryWriter = jsonPath == ProtoJson.StandardOutput ? console.Error : console.Out;
        ResultPrinter.WriteDebias(result, summaryWriter);

        if (jsonPath is not null)
        {
            await ProtoJson.WriteAsync(result, jsonPath, console.Out, cancellationToken);
            if (jsonPath != ProtoJson.StandardOutput)
            {
                console.Error.WriteLine($"Wrote the result to {jsonPath}.");
            }
        }
    }

    private static async Task<(int ExitCode, string DatasetId, string VersionId)> UploadAndTrainAsync(
        ComputeConnection connection,
        CliConsole console,
        UploadSettings upload,
        LocalDatasetFiles files,
        CancellationToken cancellationToken)
    {
        var spec = upload.Spec.Clone();
        if (spec.Name.Length == 0)
        {
            spec.Name = DatasetNaming.Create(files, spec);
        }

        console.Error.WriteLine($"Uploading {files.TrainPath}{(files.TestPath is null ? "" : $" and {files.TestPath}")} as dataset {spec.Name}.");
        var dataset = await DatasetUploader.UploadOrReuseAsync(connection.Datasets, files, spec, console.Error, cancellationToken);
        console.Error.WriteLine(
            $"Dataset {dataset.Spec?.Name ?? spec.Name} ({dataset.Id}): {dataset.TrainRows} training, {dataset.ValidationRows} validation, " +
            $"{dataset.TestRows} test rows; groups {string.Join(", ", dataset.Groups)}.");

        var trainRequest = new TrainModelRequest { Dataset = dataset.Id, Settings = upload.ModelSettings };
        var trained = await TrainRunner.TrainAndWatchAsync(connection, console, trainRequest, cancellationToken);
        if (trained.Result is not { } result)
        {
            return (trained.ExitCode, "", "");
        }

        console.Error.WriteLine(
            $"Trained version {result.VersionId}: test accuracy {Formats.Metric(result.TestReport?.HasAccuracy == true ? result.TestReport.Accuracy : null)}.");
        return (ExitCodes.Success, dataset.Id, result.VersionId);
    }
}
