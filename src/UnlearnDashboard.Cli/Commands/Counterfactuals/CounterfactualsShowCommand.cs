using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary><c>unlearn counterfactuals show SET_ID</c>: a set's metadata and its first row pairs.</summary>
internal static class CounterfactualsShowCommand
{
    /// <summary>Largest page the server returns, in row pairs.</summary>
    private const int MaxPageSize = 1000;

    public static Command Create(CliConsole console)
    {
        var setId = CounterfactualsCommand.SetIdArgument();
        var server = CommonOptions.Server(console);
        var rows = new Option<int?>("--rows")
        {
            Description = "Row pairs to show, from 1 to 1000000 (default: 10).",
            CustomParser = NumberParsers.NullableInt32("--rows", "from 1 to 1000000", v => v is >= 1 and <= 1_000_000),
            HelpName = "N",
        };
        var json = CommonOptions.Json("the set with the row pairs shown");

        var command = new Command("show",
            "Show a counterfactual set's spec, review and first row pairs, each with the original and counterfactual values of the cells "
            + "that differ. Reading rows is recorded in the audit trail. A withdrawn set has no rows.")
        {
            setId, server, rows, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await ReadRowsAsync(connection, parseResult.GetRequiredValue(setId), parseResult.GetValue(rows) ?? 10, token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => WriteSetWithRows(response, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Reads pages until <paramref name="count"/> row pairs or the last page, and returns them as one response whose
    /// next page token continues after the last pair returned.
    /// </summary>
    private static async Task<GetCounterfactualSetResponse> ReadRowsAsync(
        ComputeConnection connection, string setId, int count, CancellationToken cancellationToken)
    {
        var combined = new GetCounterfactualSetResponse();
        string pageToken = "";
        do
        {
            var request = new GetCounterfactualSetRequest
            {
                SetId = setId,
                PageSize = Math.Min(count - combined.Rows.Count, MaxPageSize),
                PageToken = pageToken,
            };
            var page = await connection.Counterfactuals.GetCounterfactualSetAsync(request, cancellationToken: cancellationToken);
            combined.Set = page.Set;
            combined.Rows.Add(page.Rows);
            combined.NextPageToken = page.NextPageToken;
            pageToken = page.NextPageToken;
        }
        while (pageToken.Length > 0 && combined.Rows.Count < count);

        return combined;
    }

    private static void WriteSetWithRows(GetCounterfactualSetResponse response, TextWriter writer)
    {
        var set = response.Set ?? new CounterfactualSet();
        CounterfactualText.WriteSet(set, writer);
        if (set.Status == CounterfactualSetStatus.Withdrawn)
            return;

        writer.WriteLine();
        var table = new TextTable("row id", "label", "changed cells (original -> counterfactual)").AlignRight(0, 1);
        foreach (var pair in response.Rows)
            table.AddRow(Formats.Count(pair.RowId), pair.Label.ToString(System.Globalization.CultureInfo.InvariantCulture), ChangedCells(set, pair));
        table.Write(writer);

        if (response.Rows.Count < set.RowCount)
            writer.WriteLine($"Showing {response.Rows.Count} of {Formats.Count(set.RowCount)} row pairs; --rows N shows more.");
    }

    /// <summary>Returns "column: original -> counterfactual" for each changed cell, or "-" when none changed.</summary>
    private static string ChangedCells(CounterfactualSet set, CounterfactualRowPair pair)
    {
        var cells = pair.ChangedColumns.Select(index =>
        {
            string column = index < set.Columns.Count ? set.Columns[index] : $"column {index}";
            string original = index < pair.Original.Count ? pair.Original[index] : "?";
            string counterfactual = index < pair.Counterfactual.Count ? pair.Counterfactual[index] : "?";
            return $"{column}: {original} -> {counterfactual}";
        });
        return Formats.OrDash(string.Join("; ", cells));
    }
}
