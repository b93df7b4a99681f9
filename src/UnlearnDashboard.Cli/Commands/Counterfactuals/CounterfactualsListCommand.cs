using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary><c>unlearn counterfactuals list</c>.</summary>
internal static class CounterfactualsListCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var dataset = new Option<string?>("--dataset")
        {
            Description = "List only the sets of this dataset id or name.",
            HelpName = "NAME",
        };
        var status = new Option<string?>("--status") { Description = "List only sets in this review status." };
        status.AcceptOnlyFromAmong(CounterfactualText.StatusNames);
        var json = CommonOptions.Json("the response");

        var command = new Command("list", "List counterfactual sets without their rows, newest first.") { server, dataset, status, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var request = new ListCounterfactualSetsRequest
            {
                Dataset = parseResult.GetValue(dataset) ?? "",
                Status = CounterfactualText.ParseStatus(parseResult.GetValue(status)),
            };
            var response = await connection.Counterfactuals.ListCounterfactualSetsAsync(request, cancellationToken: token);
            var datasetNames = await connection.DatasetNamesAsync(token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => WriteTable(response, datasetNames, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>Writes one row per set; the dataset column shows the name from <paramref name="datasetNames"/>, or the id of a dataset not in it.</summary>
    internal static void WriteTable(ListCounterfactualSetsResponse response, IReadOnlyDictionary<string, string> datasetNames, TextWriter writer)
    {
        if (response.Sets.Count == 0)
        {
            writer.WriteLine("No counterfactual sets.");
            return;
        }

        var table = new TextTable("id", "dataset", "status", "row pairs", "changed cells", "mapped columns", "requested by", "created", "reviewed by")
            .AlignRight(3, 4);
        foreach (var set in response.Sets)
        {
            table.AddRow(
                set.Id,
                datasetNames.GetValueOrDefault(set.DatasetId, set.DatasetId),
                CounterfactualText.Status(set.Status),
                Formats.Count(set.RowCount),
                Formats.Count(set.ChangedCellCount),
                Formats.OrDash(string.Join(",", set.MappedColumns)),
                Formats.OrDash(set.RequestedBy),
                Formats.Time(set.CreatedAt),
                Formats.OrDash(set.ReviewedBy));
        }

        table.Write(writer);
    }
}
