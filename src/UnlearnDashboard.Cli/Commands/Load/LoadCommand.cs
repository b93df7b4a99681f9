using System.CommandLine;

namespace UnlearnDashboard.Cli.Commands.Load;

/// <summary><c>unlearn load</c>: keeps many job watches open and reads at a steady rate against a server, and prints latencies.</summary>
internal static class LoadCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var streams = new Option<int?>("--streams")
        {
            Description = "Concurrent WatchJob streams to hold, in [1, 5000] (default: 200).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--streams", "in [1, 5000]", value => value is >= 1 and <= 5000),
        };
        var rate = new Option<double?>("--rate")
        {
            Description = "GetJob and ListVersions calls per second, alternating, in (0, 1000] (default: 20).",
            HelpName = "PER_SECOND",
            CustomParser = NumberParsers.NullableDouble("--rate", "in (0, 1000]", value => value is > 0 and <= 1000),
        };
        var seconds = new Option<double?>("--seconds")
        {
            Description = "How long to hold the load, in [1, 3600] seconds (default: 60).",
            HelpName = "SECONDS",
            CustomParser = NumberParsers.NullableDouble("--seconds", "in [1, 3600]", value => value is >= 1 and <= 3600),
        };
        var dataset = new Option<string>("--dataset")
        {
            Description = "Dataset id or name whose default model version the watched jobs debias (default: german-credit).",
            HelpName = "DATASET",
            DefaultValueFactory = _ => "german-credit",
        };

        var command = new Command("load",
            "Hold --streams WatchJob streams on running debias jobs and --rate GetJob/ListVersions calls a second for --seconds " +
            "against a compute server, then print latency percentiles per operation. Fails when any call fails.")
        {
            server, streams, rate, seconds, dataset,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new LoadSettings(
                parseResult.GetRequiredValue(server),
                parseResult.GetValue(streams) ?? 200,
                parseResult.GetValue(rate) ?? 20,
                TimeSpan.FromSeconds(parseResult.GetValue(seconds) ?? 60),
                parseResult.GetRequiredValue(dataset));
            return CommandRunner.RunAsync(console, token => LoadRunner.RunAsync(settings, console, token), cancellationToken);
        });
        return command;
    }
}
