using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Jobs;

/// <summary><c>unlearn jobs list</c>.</summary>
internal static class JobsListCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var state = new Option<string?>("--state") { Description = "List only jobs in this state." };
        state.AcceptOnlyFromAmong(JobText.StateNames);
        var json = CommonOptions.Json("the response");

        var command = new Command("list", "List the jobs on the server.") { server, state, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var request = new ListJobsRequest { State = JobText.ParseState(parseResult.GetValue(state)) };
            var response = await connection.Jobs.ListJobsAsync(request, cancellationToken: token);
            var datasetNames = await connection.DatasetNamesAsync(token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => WriteTable(response, datasetNames, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>Writes one row per job; the dataset column shows the name from <paramref name="datasetNames"/>, or the id of a dataset not in it.</summary>
    internal static void WriteTable(ListJobsResponse response, IReadOnlyDictionary<string, string> datasetNames, TextWriter writer)
    {
        if (response.Jobs.Count == 0)
        {
            writer.WriteLine("No jobs.");
            return;
        }

        var table = new TextTable("id", "kind", "state", "dataset", "base version", "new version", "created", "finished", "error");
        foreach (var job in response.Jobs)
        {
            var (baseVersion, newVersion) = JobText.Versions(job);
            table.AddRow(
                job.Id,
                JobText.Kind(job.Kind),
                JobText.State(job.State),
                Formats.OrDash(datasetNames.GetValueOrDefault(job.DatasetId, job.DatasetId)),
                Formats.OrDash(baseVersion),
                Formats.OrDash(newVersion),
                Formats.Time(job.CreatedAt),
                Formats.Time(job.FinishedAt),
                Formats.OrDash(job.Error));
        }

        table.Write(writer);
    }
}
