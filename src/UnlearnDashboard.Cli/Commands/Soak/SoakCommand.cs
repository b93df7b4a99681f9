using System.CommandLine;
using UnlearnDashboard.Cli.Commands.Debias;

namespace UnlearnDashboard.Cli.Commands.Soak;

/// <summary><c>unlearn soak</c>: runs debias jobs one after another and prints the server's resident memory after each.</summary>
internal static class SoakCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var jobs = new Option<int?>("--jobs")
        {
            Description = "Jobs to run one after another, in [11, 100000] (default: 100).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--jobs", "in [11, 100000]", value => value is >= 11 and <= 100_000),
        };
        var dataset = new Option<string>("--dataset")
        {
            Description = "Dataset id or name whose default model version every job debiases (default: german-credit).",
            HelpName = "DATASET",
            DefaultValueFactory = _ => "german-credit",
        };
        var method = new Option<string>("--method")
        {
            Description = $"Debias method of every job, one of {string.Join(", ", DebiasMethodOptions.Methods.Keys)} (default: influence-newton).",
            HelpName = "METHOD",
            DefaultValueFactory = _ => "influence-newton",
        };
        method.AcceptOnlyFromAmong([.. DebiasMethodOptions.Methods.Keys]);
        var maxGrowth = new Option<double?>("--max-growth-mib")
        {
            Description = "Largest allowed growth of the server's resident memory after job 10, in MiB; more fails the command (default: 50).",
            HelpName = "MIB",
            CustomParser = NumberParsers.NullableDouble("--max-growth-mib", "a positive number", value => value > 0),
        };

        var command = new Command("soak",
            "Run debias jobs one after another against a compute server, print the server's resident memory (VmRSS) and " +
            "live TorchSharp tensors after each, and fail when memory grows by more than --max-growth-mib after job 10 or " +
            "the tensor count ends above its count after job 10.")
        {
            server, jobs, dataset, method, maxGrowth,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new SoakSettings(
                parseResult.GetRequiredValue(server),
                parseResult.GetValue(jobs) ?? 100,
                parseResult.GetRequiredValue(dataset),
                DebiasMethodOptions.Methods[parseResult.GetRequiredValue(method)],
                parseResult.GetValue(maxGrowth) ?? 50);
            return CommandRunner.RunAsync(console, token => SoakRunner.RunAsync(settings, console, token), cancellationToken);
        });
        return command;
    }
}
