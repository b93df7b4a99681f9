using System.CommandLine;

namespace UnlearnDashboard.Cli.Commands.Counterfactuals;

/// <summary><c>unlearn counterfactuals</c>: generates, lists, shows and reviews counterfactual sets.</summary>
internal static class CounterfactualsCommand
{
    public static Command Create(CliConsole console) => new("counterfactuals",
        "Work with counterfactual sets: rows paired with copies whose sensitive value and proxy columns are mapped to another group. "
        + "An engineer generates a set, and a compliance officer other than the requester approves or rejects it.")
    {
        CounterfactualsGenerateCommand.Create(console),
        CounterfactualsListCommand.Create(console),
        CounterfactualsShowCommand.Create(console),
        CounterfactualsReviewCommands.CreateApprove(console),
        CounterfactualsReviewCommands.CreateReject(console),
    };

    /// <summary>The set id argument shared by the subcommands.</summary>
    internal static Argument<string> SetIdArgument() => new("SET_ID")
    {
        Description = "Counterfactual set id, as printed by 'unlearn counterfactuals generate' or 'list'.",
    };
}
