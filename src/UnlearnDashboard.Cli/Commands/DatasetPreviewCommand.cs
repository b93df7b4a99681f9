using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary><c>unlearn datasets preview FILE</c>: describes a CSV or Parquet file's columns before it is registered.</summary>
internal static class DatasetPreviewCommand
{
    /// <summary>Frequent values shown per column in the table; --json has all that the server sends.</summary>
    private const int ValuesShown = 3;

    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var file = new Argument<string>("FILE") { Description = "CSV or Parquet file to describe." };
        var json = CommonOptions.Json("the preview");
        var command = new Command("preview",
            "Show a CSV or Parquet file's columns before importing it: types, missing values, candidate sensitive columns and label values.")
        {
            file, server, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            string path = parseResult.GetRequiredValue(file);
            if (!File.Exists(path))
                throw new UsageException($"file not found: '{Path.GetFullPath(path)}' (given to FILE).");
            if (new FileInfo(path).Length == 0)
                throw new UsageException($"'{Path.GetFullPath(path)}' (given to FILE) is empty; it needs a header row and at least one data row.");

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var preview = await PreviewAsync(connection.Datasets, path, token);

            await ListOutput.WriteAsync(preview, jsonPath, console, token, writer => Write(preview, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>Writes the column table, then the sensitive and label candidates with their reasons.</summary>
    internal static void Write(DatasetPreview preview, TextWriter writer)
    {
        int columnCount = preview.Columns.Count + preview.OmittedColumnCount;
        writer.WriteLine($"{preview.FileName}: {preview.Format}, {Formats.Count(preview.RowCount)} rows, {Formats.Count(columnCount)} columns");
        writer.WriteLine();
        var table = new TextTable("column", "kind", "stored as", "missing", "distinct", "min", "max", "frequent values")
            .AlignRight(3, 4, 5, 6);
        foreach (var column in preview.Columns)
        {
            table.AddRow(
                column.Name,
                column.Kind,
                Formats.OrDash(column.StorageType),
                Formats.Count(column.MissingCount),
                Formats.Count(column.DistinctCount),
                column.HasMin ? Number(column.Min) : "-",
                column.HasMax ? Number(column.Max) : "-",
                string.Join(", ", column.TopValues.Take(ValuesShown).Select(v => $"{v.Value} ({Formats.Count(v.Count)})")));
        }

        table.Write(writer);
        if (preview.OmittedColumnCount > 0)
            writer.WriteLine($"The server lists the first {Formats.Count(preview.Columns.Count)} columns; {Formats.Count(preview.OmittedColumnCount)} more are not shown.");

        var sensitive = preview.Columns.Where(c => c.SensitiveReason.Length > 0).ToList();
        writer.WriteLine();
        writer.WriteLine(sensitive.Count == 0 ? "candidate sensitive columns: none found by name" : "candidate sensitive columns:");
        foreach (var column in sensitive)
            writer.WriteLine($"  {column.Name}: {column.SensitiveReason}");

        var labels = preview.Columns.Where(c => c.LabelReason.Length > 0).ToList();
        writer.WriteLine(labels.Count == 0 ? "candidate label columns: none has exactly two values" : "candidate label columns:");
        foreach (var column in labels)
            writer.WriteLine($"  {column.Name}: {string.Join(", ", column.LabelValues.Select(v => $"{v.Value} ({Formats.Count(v.Count)})"))}");
    }

    private static async Task<DatasetPreview> PreviewAsync(DatasetService.DatasetServiceClient datasets, string path, CancellationToken cancellationToken)
    {
        using var call = datasets.PreviewDataset(cancellationToken: cancellationToken);
        return await ClientStreams.SendAsync(call, async requests =>
        {
            await requests.WriteAsync(new PreviewDatasetChunk { FileName = Path.GetFileName(path) }, cancellationToken);
            await ClientStreams.WriteFileAsync(requests, path, data => new PreviewDatasetChunk { Data = data }, cancellationToken);
        }, cancellationToken);
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
