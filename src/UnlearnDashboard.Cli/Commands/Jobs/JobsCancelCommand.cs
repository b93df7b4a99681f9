using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Jobs;

/// <summary><c>unlearn jobs cancel ID</c>.</summary>
internal static class JobsCancelCommand
{
    public static Command Create(CliConsole console)
    {
        var jobId = JobsCommand.JobIdArgument();
        var server = CommonOptions.Server(console);
        var json = CommonOptions.Json("the job");

        var command = new Command("cancel", "Ask the server to cancel a queued or running job.") { jobId, server, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var job = await connection.Jobs.CancelJobAsync(new CancelJobRequest { JobId = parseResult.GetRequiredValue(jobId) }, cancellationToken: token);

            await ListOutput.WriteAsync(job, jsonPath, console, token, writer =>
                writer.WriteLine($"Job {job.Id} is {JobText.State(job.State)}."));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
