using System.CommandLine;
using System.CommandLine.Parsing;
using UnlearnDashboard.Cli.Commands;
using UnlearnDashboard.Cli.Commands.Access;
using UnlearnDashboard.Cli.Commands.Audit;
using UnlearnDashboard.Cli.Commands.Bench;
using UnlearnDashboard.Cli.Commands.Counterfactuals;
using UnlearnDashboard.Cli.Commands.Debias;
using UnlearnDashboard.Cli.Commands.Erasure;
using UnlearnDashboard.Cli.Commands.Jobs;
using UnlearnDashboard.Cli.Commands.Load;
using UnlearnDashboard.Cli.Commands.Soak;
using UnlearnDashboard.Cli.Commands.Train;

namespace UnlearnDashboard.Cli;

/// <summary>Entry point of the <c>unlearn</c> command, callable in-process.</summary>
public static class CliApp
{
    public const string ExecutableName = "unlearn";

    /// <summary>Runs the CLI with the given arguments and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, CliConsole.ForWriters(stdout, stderr), CancellationToken.None);

    /// <summary>Runs the CLI. Cancelling <paramref name="cancellationToken"/> acts like Ctrl+C.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var apiKey = CommonOptions.ApiKey();
        var caCertificate = CommonOptions.CaCertificate();
        var rootCommand = BuildRootCommand(console);
        rootCommand.Options.Add(apiKey);
        rootCommand.Options.Add(caCertificate);
        var parseResult = rootCommand.Parse(args);

        if (parseResult.Errors.Count > 0)
        {
            return WriteUsageErrors(parseResult, console.Error);
        }

        console.ApiKey = parseResult.GetValue(apiKey) is { Length: > 0 } key
            ? key
            : console.GetEnvironmentVariable(CommonOptions.ApiKeyEnvironmentVariable) is { Length: > 0 } environmentKey ? environmentKey : null;
        console.CaCertificatePath = parseResult.GetValue(caCertificate) is { Length: > 0 } path
            ? path
            : console.GetEnvironmentVariable(CommonOptions.CaCertificateEnvironmentVariable) is { Length: > 0 } environmentPath ? environmentPath : null;

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Program.cs handles Ctrl+C and SIGTERM and passes them in as cancellationToken.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }

    internal static RootCommand BuildRootCommand(CliConsole console)
    {
        var rootCommand = new RootCommand("Remove bias from trained models by machine unlearning, through the UnlearnDashboard compute server.");
        rootCommand.Subcommands.Add(DebiasCommand.Create(console));
        rootCommand.Subcommands.Add(TrainCommand.Create(console));
        rootCommand.Subcommands.Add(DatasetsCommand.Create(console));
        rootCommand.Subcommands.Add(VersionsCommand.Create(console));
        rootCommand.Subcommands.Add(ModelsCommand.Create(console));
        rootCommand.Subcommands.Add(CompareCommand.Create(console));
        rootCommand.Subcommands.Add(ReportCommand.Create(console));
        rootCommand.Subcommands.Add(JobsCommand.Create(console));
        rootCommand.Subcommands.Add(CounterfactualsCommand.Create(console));
        rootCommand.Subcommands.Add(BenchCommand.Create(console));
        rootCommand.Subcommands.Add(ScaleBenchCommand.Create(console));
        rootCommand.Subcommands.Add(AuditCommand.Create(console));
        rootCommand.Subcommands.Add(SoakCommand.Create(console));
        rootCommand.Subcommands.Add(LoadCommand.Create(console));
        rootCommand.Subcommands.Add(AccessCommands.CreateWhoAmI(console));
        rootCommand.Subcommands.Add(AccessCommands.CreateUsers(console));
        rootCommand.Subcommands.Add(AccessCommands.CreateKeys(console));
        rootCommand.Subcommands.Add(EraseCommand.Create(console));
        rootCommand.Subcommands.Add(EraseCommand.CreateErasures(console));
        return rootCommand;
    }

    private static int WriteUsageErrors(ParseResult parseResult, TextWriter error)
    {
        foreach (var parseError in parseResult.Errors)
        {
            error.WriteLine($"error: {parseError.Message}");
        }

        var commandNames = new Stack<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            // The root command takes the process name, which differs when tests host the CLI.
            commandNames.Push(result.Command is RootCommand ? ExecutableName : result.Command.Name);
        }

        var commandPath = string.Join(' ', commandNames);
        error.WriteLine($"Run '{commandPath} --help' for usage.");
        return ExitCodes.UsageError;
    }
}
