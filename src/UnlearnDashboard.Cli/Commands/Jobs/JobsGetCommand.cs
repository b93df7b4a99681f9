using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Jobs;

/// <summary><c>unlearn jobs get ID</c>.</summary>
internal static class JobsGetCommand
{
    public static Command Create(CliConsole console)
    {
        var jobId = JobsCommand.JobIdArgument();
        var server = CommonOptions.Server(console);
        var json = CommonOptions.Json("the job");

        var command = new Command("get", "Show a job's state, request and, once it has succeeded, its result.") { jobId, server, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var job = await connection.Jobs.GetJobAsync(new GetJobRequest { JobId = parseResult.GetRequiredValue(jobId) }, cancellationToken: token);

            await ListOutput.WriteAsync(job, jsonPath, console, token, writer => WriteJob(job, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    internal static void WriteJob(Job job, TextWriter writer)
    {
        writer.WriteLine($"job:            {job.Id}");
        writer.WriteLine($"kind:           {JobText.Kind(job.Kind)}");
        writer.WriteLine($"state:          {JobText.State(job.State)}");
        writer.WriteLine($"dataset:        {Formats.OrDash(job.DatasetId)}");
        var (baseVersion, newVersion) = JobText.Versions(job);
        writer.WriteLine($"versions:       base {Formats.OrDash(baseVersion)}, new {Formats.OrDash(newVersion)}");
        writer.WriteLine($"created:        {Formats.Time(job.CreatedAt)}");
        writer.WriteLine($"started:        {Formats.Time(job.StartedAt)}");
        writer.WriteLine($"finished:       {Formats.Time(job.FinishedAt)}");
        writer.WriteLine($"last event:     {job.LastSequence}");
        if (job.Error.Length > 0)
        {
            writer.WriteLine($"error:          {job.Error}");
        }

        switch (job.Result?.ResultCase)
        {
            case JobResult.ResultOneofCase.Train:
                writer.WriteLine();
                ResultPrinter.WriteTrain(job.Result.Train, writer);
                break;
            case JobResult.ResultOneofCase.Debias:
                writer.WriteLine();
                ResultPrinter.WriteDebias(job.Result.Debias, writer);
                break;
            case JobResult.ResultOneofCase.Erasure:
                writer.WriteLine();
                Erasure.CertificatePrinter.WriteResult(job.Result.Erasure, writer);
                break;
        }
    }
}
