using System.CommandLine;
using Google.Protobuf;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary><c>unlearn counterfactuals generate</c>: requests a new counterfactual set, which starts pending.</summary>
internal static class CounterfactualsGenerateCommand
{
    /// <summary>
    /// Largest --source-file accepted, 4 MiB: gRPC's default limit of a received message, and the whole request must fit in it.
    /// </summary>
    /// <remarks>NOTE: a server configured with a larger receive limit would accept more, but the CLI cannot ask it for its limit.</remarks>
    private const long MaxSourceFileBytes = 4 * 1024 * 1024;

    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var dataset = new Option<string>("--dataset")
        {
            Description = "Dataset id or name whose rows to map.",
            Required = true,
            HelpName = "NAME",
        };
        var maps = new Option<ColumnValueMap[]>("--map")
        {
            Description = $"Value map of one column, {ValueMapParser.Syntax}; repeat it for more columns. A value that is a key changes to "
                + "its mapped value, and every other value stays. A map of the dataset's sensitive column is the sensitive map, and maps of "
                + "other columns are proxy maps. Without a map of the sensitive column, a dataset with two groups swaps them.",
            CustomParser = ValueMapParser.Create("--map"),
            HelpName = ValueMapParser.Syntax,
        };
        var maxRows = new Option<int?>("--max-rows")
        {
            Description = "Maximum row pairs in the set, from 1 to 1000000; a larger source is sampled, stratified by group and label "
                + "(default: the server's, 2000).",
            CustomParser = NumberParsers.NullableInt32("--max-rows", "from 1 to 1000000", v => v is >= 1 and <= 1_000_000),
            HelpName = "N",
        };
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of the sample drawn when the source has more rows than --max-rows, >= 0 (default: 0).",
            CustomParser = NumberParsers.NullableInt32("--seed", ">= 0", v => v >= 0),
            HelpName = "N",
        };
        var sourceFile = new Option<string?>("--source-file")
        {
            Description = "UTF-8 CSV file with the columns of the dataset's training file, label included, whose rows to map instead "
                + "of the dataset's training rows; at most 4 MiB.",
            HelpName = "CSV",
        };
        var json = CommonOptions.Json("the new set");
        var command = new Command("generate",
            "Generate a counterfactual set from the dataset's training rows or from --source-file. The set starts pending, and debias "
            + "requests can use it only after a compliance officer other than you approves it.")
        {
            server, dataset, maps, maxRows, seed, sourceFile, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            var request = new GenerateCounterfactualSetRequest { Dataset = parseResult.GetRequiredValue(dataset) };
            if (parseResult.GetValue(maxRows) is { } rows)
                request.MaxRows = rows;
            if (parseResult.GetValue(seed) is { } seedValue)
                request.Seed = (uint)seedValue;
            if (parseResult.GetValue(sourceFile) is { } path)
                request.ExternalRowsCsv = await ReadSourceFileAsync(path, token);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var target = await connection.Datasets.GetDatasetAsync(new GetDatasetRequest { Dataset = request.Dataset }, cancellationToken: token);
            AddMaps(request, parseResult.GetValue(maps) ?? [], target);

            // The file's own check leaves no room for the rest of the message, which the server counts too.
            int requestBytes = request.CalculateSize();
            if (requestBytes > MaxSourceFileBytes)
            {
                throw new UsageException($"The request with --source-file is {requestBytes} bytes, over the server's limit of {MaxSourceFileBytes} "
                    + "bytes per message; pass fewer rows.");
            }

            var set = await connection.Counterfactuals.GenerateCounterfactualSetAsync(request, cancellationToken: token);

            await ListOutput.WriteAsync(set, jsonPath, console, token, writer =>
            {
                writer.WriteLine($"Generated counterfactual set {set.Id}.");
                CounterfactualText.WriteSet(set, writer);
                writer.WriteLine();
                writer.WriteLine($"Next: a compliance officer other than {set.RequestedBy} reviews it with 'unlearn counterfactuals approve {set.Id}' "
                    + $"or 'unlearn counterfactuals reject {set.Id} --comment TEXT'. Debias requests cannot use it before it is approved.");
            });
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Puts the map of the dataset's sensitive column into the sensitive map and the others into the proxy maps. Without a
    /// map of the sensitive column, the dataset's two groups are swapped, as the dashboard's form suggests.
    /// </summary>
    /// <exception cref="UsageException">No map names the sensitive column and the dataset does not have exactly two groups.</exception>
    private static void AddMaps(GenerateCounterfactualSetRequest request, ColumnValueMap[] maps, Dataset dataset)
    {
        string sensitiveColumn = dataset.Spec?.SensitiveColumn ?? "";
        foreach (var map in maps)
        {
            if (map.Column == sensitiveColumn)
                request.SensitiveValueMap.Add(map.Values);
            else
                request.ProxyMaps.Add(map);
        }

        if (request.SensitiveValueMap.Count > 0)
            return;
        if (dataset.Groups.Count != 2)
        {
            throw new UsageException($"no --map names the sensitive column '{sensitiveColumn}' of dataset '{request.Dataset}', whose "
                + $"{dataset.Groups.Count} groups ({string.Join(", ", dataset.Groups)}) cannot simply be swapped; add --map {sensitiveColumn}:FROM=TO,FROM=TO.");
        }

        request.SensitiveValueMap.Add(dataset.Groups[0], dataset.Groups[1]);
        request.SensitiveValueMap.Add(dataset.Groups[1], dataset.Groups[0]);
    }

    /// <exception cref="UsageException">The file is missing, empty or over <see cref="MaxSourceFileBytes"/>.</exception>
    private static async Task<ByteString> ReadSourceFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new UsageException($"file not found: '{file.FullName}' (given to --source-file).");

        // An empty request field means "use the training rows", so an empty file would silently map other rows.
        if (file.Length == 0)
            throw new UsageException($"--source-file '{file.FullName}' is empty; it needs a header row and at least one data row.");
        if (file.Length > MaxSourceFileBytes)
        {
            throw new UsageException($"--source-file '{file.FullName}' is {file.Length} bytes, over the {MaxSourceFileBytes} bytes that fit "
                + "in one request; pass fewer rows.");
        }

        return ByteString.CopyFrom(await File.ReadAllBytesAsync(path, cancellationToken));
    }
}
