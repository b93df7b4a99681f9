using System.CommandLine;
using UnlearnDashboard.Cli.Commands.Generate;

namespace UnlearnDashboard.Cli.Commands.Bench;

/// <summary><c>unlearn bench-scale</c>: measures training, all-layer ranking and unlearning on generated Adult-like datasets of growing size.</summary>
internal static class ScaleBenchCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var rows = new Option<string[]>("--rows")
        {
            Description = "Dataset sizes in rows, comma-separated (default: 100000,300000,1000000).",
            HelpName = "N,...",
        };
        var folder = new Option<string>("--folder")
        {
            Description = "Folder for the generated CSV files, which are kept (default: the current folder).",
            HelpName = "DIR",
            DefaultValueFactory = _ => ".",
        };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed of the generator (default: 7).",
            HelpName = "N",
            DefaultValueFactory = _ => 7,
            CustomParser = NumberParsers.Int64("--seed", "in [0, 2147483647]", value => value is >= 0 and <= int.MaxValue),
        };
        var epochs = new Option<int?>("--epochs")
        {
            Description = $"Training epochs, in [1, 100] (default: {ScaleBenchRunner.DefaultEpochs}).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--epochs", "in [1, 100]", value => value is >= 1 and <= 100),
        };
        var batchSize = new Option<int?>("--batch-size")
        {
            Description = $"Training mini-batch size in rows, in [1, 65536] (default: {ScaleBenchRunner.DefaultBatchSize}).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--batch-size", "in [1, 65536]", value => value is >= 1 and <= 65_536),
        };
        var source = new Option<string>("--source")
        {
            Description = "Adult CSV to resample (default: the adult.csv shipped in the Datasets folder next to the CLI).",
            HelpName = "FILE",
            DefaultValueFactory = _ => GenerateCommand.DefaultSource,
        };
        var json = CommonOptions.Json("the table");

        var command = new Command("bench-scale",
            "For each size, generate an Adult-like dataset (as 'datasets generate' does), upload it, train the default MLP, rank the training " +
            "rows over all layers and remove the most harmful 5% with influence-newton, then print the seconds of each phase and the peak " +
            "resident memory of the worker processes.")
        {
            server, rows, folder, seed, epochs, batchSize, source, json,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var sizes = Debias.DebiasCommand.SplitList(parseResult.GetValue(rows)).Select(ParseSize).ToList();
            var settings = new ScaleBenchSettings(
                parseResult.GetRequiredValue(server),
                sizes.Count > 0 ? sizes : ScaleBenchRunner.DefaultSizes,
                parseResult.GetRequiredValue(folder),
                (int)parseResult.GetValue(seed),
                parseResult.GetValue(epochs) ?? ScaleBenchRunner.DefaultEpochs,
                parseResult.GetValue(batchSize) ?? ScaleBenchRunner.DefaultBatchSize,
                parseResult.GetRequiredValue(source),
                parseResult.GetValue(json));
            return CommandRunner.RunAsync(console, token => ScaleBenchRunner.RunAsync(settings, console, token), cancellationToken);
        });
        return command;
    }

    private static long ParseSize(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) && value is >= 1000 and <= 100_000_000
            ? value
            : throw new UsageException($"invalid value '{text}' for option '--rows': expected row counts in [1000, 100000000], comma-separated.");
}
