using System.CommandLine;
using System.Security.Cryptography;
using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>
/// <c>unlearn models import</c> and <c>unlearn models export</c>: move weights between PyTorch and the server
/// with InteropService.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create(CliConsole console) =>
        new("models", "Import PyTorch weights as a model version, or export a version for PyTorch.") { CreateImport(console), CreateExport(console) };

    private static Command CreateImport(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var file = new Argument<string>("FILE") { Description = "State dict saved with torch.save(model.state_dict(), FILE), or a safetensors file." };
        var spec = new Option<string>("--spec")
        {
            Description = "JSON spec of the model: hidden widths, activation and preprocessing (see the README).",
            HelpName = "SPEC.json",
            Required = true,
        };
        var dataset = new Option<string>("--dataset") { Description = "Dataset id or name that the model is for.", HelpName = "NAME", Required = true };
        var name = new Option<string?>("--name") { Description = "Name of the new model (default: DATASET-imported).", HelpName = "NAME" };
        var json = CommonOptions.Json("the response");
        var command = new Command("import", "Import a PyTorch state dict or safetensors file as the first version of a new model.")
        {
            file, server, spec, dataset, name, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            string weightsPath = RequireFile(parseResult.GetRequiredValue(file), "FILE");
            string specPath = RequireFile(parseResult.GetRequiredValue(spec), "--spec");
            var header = new ImportModelHeader
            {
                Dataset = parseResult.GetRequiredValue(dataset),
                Name = parseResult.GetValue(name) ?? "",
                SpecJson = await File.ReadAllTextAsync(specPath, token),
                FileName = Path.GetFileName(weightsPath),
            };

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await ImportAsync(connection.Interop, header, weightsPath, token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => WriteImported(response, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateExport(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var version = new Argument<string>("VERSION_ID") { Description = "Model version to export." };
        var output = new Option<string>("--output")
        {
            Description = "Folder to write WEIGHTS.safetensors and WEIGHTS.spec.json to, created with any missing parent folders "
                + "after the download (default: the current folder).",
            HelpName = "DIR",
            DefaultValueFactory = _ => ".",
        };
        var command = new Command("export", "Export a model version as safetensors plus its spec and preprocessing, for PyTorch.")
        {
            version, server, output,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            string folder = parseResult.GetRequiredValue(output);
            RejectFileInOutputPath(folder);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var (header, weights) = await ExportAsync(connection.Interop, parseResult.GetRequiredValue(version), token);

            string sha256 = Convert.ToHexStringLower(SHA256.HashData(weights));
            if (weights.Length != header.SizeBytes || sha256 != header.Sha256)
            {
                throw new IOException(
                    $"the export of version {header.VersionId} arrived damaged: {weights.Length} bytes with SHA-256 {sha256}, " +
                    $"expected {header.SizeBytes} bytes with SHA-256 {header.Sha256}. Run the export again.");
            }

            CreateOutputFolder(folder);
            string weightsPath = Path.Combine(folder, Path.GetFileName(header.FileName));
            string specPath = Path.ChangeExtension(weightsPath, ".spec.json");
            await File.WriteAllBytesAsync(weightsPath, weights, token);
            await File.WriteAllTextAsync(specPath, header.SpecJson, token);

            console.Out.WriteLine($"weights: {weightsPath} ({Formats.Count(weights.Length)} bytes, SHA-256 {sha256})");
            console.Out.WriteLine($"spec:    {specPath}");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Rejects an <c>--output</c> path that is a file or lies under one, before anything is downloaded. Other
    /// reasons that the folder cannot be created, such as permissions, show in <see cref="CreateOutputFolder"/>.
    /// </summary>
    private static void RejectFileInOutputPath(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new UsageException("--output is empty; pass the folder to write the weights and the spec to, for example --output exported.");

        for (string? path = Path.GetFullPath(folder); path is not null; path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                throw new UsageException($"cannot create folder '{Path.GetFullPath(folder)}' (given to --output), because '{path}' is a file. "
                    + "Pass a folder path.");
            }

            if (Directory.Exists(path))
                return;
        }
    }

    private static void CreateOutputFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot create folder '{Path.GetFullPath(folder)}' (given to --output): {error.Message}");
        }
    }

    private static async Task<ImportModelResponse> ImportAsync(
        InteropService.InteropServiceClient interop, ImportModelHeader header, string weightsPath, CancellationToken cancellationToken)
    {
        using var call = interop.ImportModel(cancellationToken: cancellationToken);
        return await ClientStreams.SendAsync(call, async requests =>
        {
            await requests.WriteAsync(new ImportModelChunk { Header = header }, cancellationToken);
            await ClientStreams.WriteFileAsync(requests, weightsPath, data => new ImportModelChunk { Data = data }, cancellationToken);
        }, cancellationToken);
    }

    private static async Task<(ExportModelHeader Header, byte[] Weights)> ExportAsync(
        InteropService.InteropServiceClient interop, string versionId, CancellationToken cancellationToken)
    {
        using var call = interop.ExportModel(new ExportModelRequest { VersionId = versionId }, cancellationToken: cancellationToken);
        ExportModelHeader? header = null;
        using var weights = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (chunk.ContentCase == ExportModelChunk.ContentOneofCase.Header)
                header = chunk.Header;
            else
                chunk.Data.WriteTo(weights);
        }

        return (header ?? throw new IOException($"the server sent no header for the export of version {versionId}."), weights.ToArray());
    }

    private static void WriteImported(ImportModelResponse response, TextWriter writer)
    {
        var report = response.Version.TestReport ?? new FairnessReport();
        writer.WriteLine($"model:    {response.Model.Name} ({response.Model.Id})");
        writer.WriteLine($"version:  {response.Version.Id}");
        writer.WriteLine($"format:   {response.SourceFormat}");
        writer.WriteLine($"layers:   {string.Join(", ", response.Version.Layers.Select(l => $"{l.Name} ({Formats.Count(l.ParameterCount)})"))}");
        writer.WriteLine($"test split: accuracy {Formats.Metric(report.HasAccuracy ? report.Accuracy : null)}, " +
                         $"demographic parity difference {Formats.Metric(report.HasDemographicParityDifference ? report.DemographicParityDifference : null)}");
    }

    private static string RequireFile(string path, string name)
    {
        if (!File.Exists(path))
            throw new UsageException($"file not found: '{Path.GetFullPath(path)}' (given to {name}).");
        return path;
    }
}
