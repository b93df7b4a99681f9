using System.CommandLine;

namespace UnlearnDashboard.Cli.Commands.Jobs;

/// <summary><c>unlearn jobs</c>: lists, inspects, watches and cancels jobs.</summary>
internal static class JobsCommand
{
    public static Command Create(CliConsole console) => new("jobs", "Work with training and debias jobs on the server.")
    {
        JobsListCommand.Create(console),
        JobsGetCommand.Create(console),
        JobsWatchCommand.Create(console),
        JobsCancelCommand.Create(console),
    };

    /// <summary>The job id argument shared by the subcommands.</summary>
    internal static Argument<string> JobIdArgument() => new("ID") { Description = "Job id, as printed when the job was submitted." };
}
