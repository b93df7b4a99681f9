using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Jobs;

/// <summary><c>unlearn jobs watch ID</c>: follows a job's progress and prints its result.</summary>
internal static class JobsWatchCommand
{
    public static Command Create(CliConsole console)
    {
        var jobId = JobsCommand.JobIdArgument();
        var server = CommonOptions.Server(console);
        var after = new Option<long>("--after")
        {
            Description = "Show only events with a sequence number greater than this (default: 0, every event).",
            HelpName = "N",
            CustomParser = NumberParsers.Int64("--after", ">= 0", value => value >= 0),
        };
        var json = CommonOptions.Json("the job's result");

        var command = new Command("watch", "Show a job's progress until it ends, then print its result. Stopping the watch never cancels the job.")
        {
            jobId, server, after, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var outcome = await JobFollower.FollowAsync(connection, console, parseResult.GetRequiredValue(jobId), parseResult.GetValue(after), token);
            if (outcome?.Result is not { } result)
            {
                return JobFollower.ExitCodeFor(outcome);
            }

            await WriteResultAsync(result, jsonPath, console, token);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static async Task WriteResultAsync(JobResult result, string? jsonPath, CliConsole console, CancellationToken cancellationToken)
    {
        var summaryWriter = jsonPath == ProtoJson.StandardOutput ? console.Error : console.Out;
        switch (result.ResultCase)
        {
            case JobResult.ResultOneofCase.Train:
                ResultPrinter.WriteTrain(result.Train, summaryWriter);
                break;
            case JobResult.ResultOneofCase.Debias:
                ResultPrinter.WriteDebias(result.Debias, summaryWriter);
                break;
            case JobResult.ResultOneofCase.Erasure:
                Erasure.CertificatePrinter.WriteResult(result.Erasure, summaryWriter);
                break;
        }

        if (jsonPath is not null)
        {
            await ProtoJson.WriteAsync(result, jsonPath, console.Out, cancellationToken);
        }
    }
}
