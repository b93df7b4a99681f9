using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary>
/// <c>unlearn counterfactuals approve|reject SET_ID</c>. The server lets only the compliance role review, and never the set's
/// requester. It records the caller as the reviewer.
/// </summary>
internal static class CounterfactualsReviewCommands
{
    public static Command CreateApprove(CliConsole console)
    {
        var setId = CounterfactualsCommand.SetIdArgument();
        var server = CommonOptions.Server(console);
        var comment = new Option<string?>("--comment") { Description = "Why the set is approved, for the audit trail.", HelpName = "TEXT" };
        var json = CommonOptions.Json("the reviewed set");
        var command = new Command("approve",
            "Approve a pending counterfactual set, so that debias requests on its dataset can use it. Needs a key of the compliance role "
            + "and a reviewer other than the set's requester.")
        {
            setId, server, comment, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var request = new ReviewCounterfactualSetRequest { SetId = parseResult.GetRequiredValue(setId), Comment = parseResult.GetValue(comment) ?? "" };
            var set = await connection.Counterfactuals.ApproveCounterfactualSetAsync(request, cancellationToken: token);

            await ListOutput.WriteAsync(set, jsonPath, console, token, writer =>
            {
                WriteReview(set, writer);
                writer.WriteLine($"Debias requests on dataset {set.DatasetId} can use it with --counterfactual-set {set.Id}, and use it by "
                    + "default while it is the dataset's most recently approved set.");
            });
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    public static Command CreateReject(CliConsole console)
    {
        var setId = CounterfactualsCommand.SetIdArgument();
        var server = CommonOptions.Server(console);
        var comment = new Option<string>("--comment")
        {
            Description = "Why the set is rejected, so that its requester can fix the spec. Required.",
            Required = true,
            HelpName = "TEXT",
        };
        comment.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(token => string.IsNullOrWhiteSpace(token.Value)) is { } blank)
                result.AddError($"Invalid value '{blank.Value}' for option '--comment': the comment is empty; say why the set is rejected.");
        });
        var json = CommonOptions.Json("the reviewed set");
        var command = new Command("reject",
            "Reject a pending counterfactual set, so that debias requests that name it fail. Needs a key of the compliance role and a "
            + "reviewer other than the set's requester.")
        {
            setId, server, comment, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var request = new ReviewCounterfactualSetRequest { SetId = parseResult.GetRequiredValue(setId), Comment = parseResult.GetRequiredValue(comment) };
            var set = await connection.Counterfactuals.RejectCounterfactualSetAsync(request, cancellationToken: token);

            await ListOutput.WriteAsync(set, jsonPath, console, token, writer => WriteReview(set, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static void WriteReview(CounterfactualSet set, TextWriter writer)
    {
        writer.WriteLine($"Counterfactual set {set.Id} is {CounterfactualText.Status(set.Status)}.");
        writer.WriteLine($"reviewed by:  {set.ReviewedBy} at {Formats.Time(set.ReviewedAt)}");
        writer.WriteLine($"comment:      {Formats.OrDash(set.ReviewComment)}");
    }
}
