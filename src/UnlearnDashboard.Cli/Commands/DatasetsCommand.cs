using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>
/// <c>unlearn datasets list</c>: lists the datasets on the server; <c>datasets preview</c> is in <see cref="DatasetPreviewCommand"/>
/// and <c>datasets generate</c> in <see cref="Generate.GenerateCommand"/>.
/// </summary>
internal static class DatasetsCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var json = CommonOptions.Json("the response");
        var list = new Command("list", "List the datasets on the server with their row counts and groups.") { server, json };
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), cancellationToken: token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => WriteTable(response, writer));
            return ExitCodes.Success;
        }, cancellationToken));

        return new Command("datasets", "Work with datasets on the server.") { list, DatasetPreviewCommand.Create(console), Generate.GenerateCommand.Create(console) };
    }

    private static void WriteTable(ListDatasetsResponse response, TextWriter writer)
    {
        if (response.Datasets.Count == 0)
        {
            writer.WriteLine("No datasets.");
            return;
        }

        var table = new TextTable("name", "id", "label", "sensitive", "train", "validation", "test", "groups", "default version", "created")
            .AlignRight(4, 5, 6);
        foreach (var dataset in response.Datasets)
        {
            var spec = dataset.Spec ?? new DatasetSpec();
            table.AddRow(
                Formats.OrDash(spec.Name),
                dataset.Id,
                Formats.OrDash(spec.LabelColumn),
                Formats.OrDash(spec.SensitiveColumn),
                Formats.Count(dataset.TrainRows),
                Formats.Count(dataset.ValidationRows),
                Formats.Count(dataset.TestRows),
                string.Join(",", dataset.Groups),
                Formats.OrDash(dataset.DefaultModelVersionId),
                Formats.Time(dataset.CreatedAt));
        }

        table.Write(writer);
    }
}
