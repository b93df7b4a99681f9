using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary><c>unlearn report BASELINE CANDIDATE --out FILE.html</c>: writes the meeting pack of two versions.</summary>
internal static class ReportCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var baseline = new Argument<string>("BASELINE") { Description = "Version compared against, for example the current champion." };
        var candidate = new Argument<string>("CANDIDATE") { Description = "Version the meeting decides on." };
        var output = new Option<string>("--out")
        {
            Description = "HTML file to write; it is self-contained and prints on A4.",
            HelpName = "FILE",
            Required = true,
        };
        var intersect = new Option<string[]>("--intersect")
        {
            Description = "Column whose combinations with the sensitive column get their own impact-ratio table, for example race; repeatable.",
            HelpName = "COLUMN",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = CommonOptions.Json("the pack's data");
        var command = new Command("report", "Write the meeting pack of two versions: metrics, impact ratios, approvals, evidence, settings and the audit excerpt.")
        {
            server, baseline, candidate, output, intersect, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            string outputPath = parseResult.GetRequiredValue(output);
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            string? folder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (folder is not null && !Directory.Exists(folder))
                throw new UsageException($"cannot write --out file '{outputPath}': folder '{folder}' does not exist.");

            var request = new MeetingPackRequest
            {
                BaselineVersionId = parseResult.GetRequiredValue(baseline),
                CandidateVersionId = parseResult.GetRequiredValue(candidate),
                IntersectionColumns = { parseResult.GetValue(intersect) ?? [] },
            };
            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var pack = await connection.Reports.GenerateMeetingPackAsync(request, cancellationToken: token);

            await File.WriteAllTextAsync(outputPath, pack.Html, token);
            console.Out.WriteLine($"wrote the meeting pack to {outputPath}");
            if (jsonPath is not null)
                await ProtoJson.WriteAsync(pack, jsonPath, console.Out, token);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
