using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>
/// <c>unlearn versions list|lineage|promote|gate</c>: lists model versions with their test-split fairness and
/// aliases, shows a version's lineage, promotes versions and sets the release gate.
/// </summary>
internal static class VersionsCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var model = new Option<string?>("--model") { Description = "List only the versions of this model id.", HelpName = "MODEL_ID" };
        var json = CommonOptions.Json("the response");
        var list = new Command("list", "List model versions with their test-split accuracy and fairness.") { server, model, json };
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var request = new ListVersionsRequest { ModelId = parseResult.GetValue(model) ?? "" };
            var response = await connection.Models.ListVersionsAsync(request, cancellationToken: token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => WriteTable(response, writer));
            return ExitCodes.Success;
        }, cancellationToken));

        return new Command("versions", "Work with model versions on the server.")
        {
            list,
            VersionPromotionCommands.CreateLineage(console),
            VersionPromotionCommands.CreatePromote(console),
            VersionPromotionCommands.CreateGate(console),
        };
    }

    private static void WriteTable(ListVersionsResponse response, TextWriter writer)
    {
        if (response.Versions.Count == 0)
        {
            writer.WriteLine("No model versions.");
            return;
        }

        var table = new TextTable("version", "model", "parent", "aliases", "accuracy", "DP diff", "EO diff", "DI ratio", "removed", "created")
            .AlignRight(4, 5, 6, 7, 8);
        foreach (var version in response.Versions)
        {
            var report = version.TestReport ?? new FairnessReport();
            table.AddRow(
                version.Id,
                version.ModelId,
                Formats.OrDash(version.ParentVersionId),
                Formats.OrDash(string.Join(",", version.Aliases)),
                Formats.Metric(report.HasAccuracy ? report.Accuracy : null),
                Formats.Metric(report.HasDemographicParityDifference ? report.DemographicParityDifference : null),
                Formats.Metric(report.HasEqualizedOddsDifference ? report.EqualizedOddsDifference : null),
                Formats.Metric(report.HasDisparateImpactRatio ? report.DisparateImpactRatio : null),
                Formats.Count(version.RemovedSampleCount),
                Formats.Time(version.CreatedAt));
        }

        table.Write(writer);
    }
}
