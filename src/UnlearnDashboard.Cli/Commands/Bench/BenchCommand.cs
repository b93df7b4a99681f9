using System.CommandLine;
using UnlearnDashboard.Cli.Commands.Debias;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary><c>unlearn bench</c>: runs every method and baseline on the shipped datasets and prints one table per dataset.</summary>
internal static class BenchCommand
{
    /// <summary>The shipped datasets, copied next to the CLI by the build, so that the bench runs from any folder.</summary>
    public static string DefaultDatasetsFolder { get; } = Path.Combine(AppContext.BaseDirectory, "Datasets");

    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var json = new Option<string?>("--json")
        {
            Description = "Also write the tables as JSON to this file.",
            HelpName = "FILE",
        };
        var datasetsFolder = new Option<string>("--datasets-folder")
        {
            Description = $"Folder with adult.csv, adult-test.csv and german-credit.csv, uploaded for the suites that need their own dataset (default: the Datasets folder next to the CLI).",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultDatasetsFolder,
        };
        var splits = new Option<int?>("--splits")
        {
            Description = "Seeded splits of German Credit to average over, in [1, 20] (default: 5).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--splits", "in [1, 20]", value => value is >= 1 and <= 20),
        };
        var methods = new Option<string[]>("--methods")
        {
            Description = $"Methods to run, comma-separated (default: all: {string.Join(", ", DebiasMethodOptions.Methods.Keys)}).",
            HelpName = "METHOD,...",
        };
        methods.Validators.Add(result =>
        {
            foreach (string method in DebiasCommand.SplitList(result.GetValueOrDefault<string[]>()))
            {
                if (!DebiasMethodOptions.Methods.ContainsKey(method))
                    result.AddError($"Invalid value '{method}' for option '--methods': expected one of {string.Join(", ", DebiasMethodOptions.Methods.Keys)}.");
            }
        });

        var command = new Command("bench",
            "Run every unlearning method, with the original model and a retrain as baselines, on Adult (sex; race) and German Credit " +
            $"(sex; age {BenchSuites.AgeBoundary} or under versus over, averaged over seeded splits) through the compute server, and print one table per dataset.")
        {
            server, json, datasetsFolder, splits, methods,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var chosen = DebiasCommand.SplitList(parseResult.GetValue(methods)).ToList();
            var settings = new BenchSettings(
                parseResult.GetRequiredValue(server),
                parseResult.GetRequiredValue(datasetsFolder),
                parseResult.GetValue(splits) ?? 5,
                chosen.Count > 0 ? chosen : [.. DebiasMethodOptions.Methods.Keys],
                parseResult.GetValue(json));
            return CommandRunner.RunAsync(console, token => BenchRunner.RunAsync(settings, console, token), cancellationToken);
        });
        return command;
    }
}
