using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Train;

/// <summary><c>unlearn train</c>: trains a new model on a dataset on the server.</summary>
internal static class TrainCommand
{
    /// <summary>Maximum hidden layer width that the server accepts (see the engine's ModelSettings.Validate).</summary>
    private const int MaxHiddenWidth = 4096;

    /// <summary>Maximum number of training epochs that the server accepts (see the engine's ModelSettings.Validate).</summary>
    public const int MaxEpochs = 1000;

    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var dataset = new Option<string>("--dataset") { Description = "Name or id of the dataset to train on.", HelpName = "NAME", Required = true };
        var name = new Option<string?>("--name") { Description = "Model name (default: DATASET-ARCHITECTURE).", HelpName = "NAME" };
        var architecture = new Option<string>("--architecture")
        {
            Description = "Model architecture.",
            DefaultValueFactory = _ => "mlp",
        };
        architecture.AcceptOnlyFromAmong("mlp", "logistic-regression");
        var hidden = new Option<int[]>("--hidden")
        {
            Description = $"Hidden layer widths of the MLP, each in [1, {MaxHiddenWidth}], comma-separated (default: 64,32). Not with logistic-regression.",
            HelpName = "WIDTH,...",
            CustomParser = ParseWidths,
        };
        var epochs = new Option<int?>("--epochs")
        {
            Description = $"Training epochs, in [1, {MaxEpochs}] (default: the server's, 10).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--epochs", $"in [1, {MaxEpochs}]", value => value is >= 1 and <= MaxEpochs),
        };
        var batchSize = PositiveInt("--batch-size", "Samples per training batch (default: the server's, 256).");
        var learningRate = new Option<double?>("--learning-rate")
        {
            Description = "Adam learning rate (default: the server's, 0.001).",
            HelpName = "RATE",
            CustomParser = NumberParsers.NullableDouble("--learning-rate", "> 0", value => value > 0),
        };
        var seed = new Option<int?>("--seed")
        {
            Description = "Random seed of initialization and batch order, in [0, 2147483647] (default: the server's, 0).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--seed", "in [0, 2147483647]", value => value >= 0),
        };
        var excludeSensitive = new Option<bool>("--exclude-sensitive-feature") { Description = "Leave the sensitive attribute out of the model's inputs." };
        var json = CommonOptions.Json("the train result");

        var command = new Command("train", "Train a new model on a dataset on the server, showing progress, and print its test-split fairness.")
        {
            server, dataset, name, architecture, hidden, epochs, batchSize, learningRate, seed, excludeSensitive, json,
        };
        command.Validators.Add(CommandValidators.WhenValuesParse(result =>
        {
            if (result.GetValue(architecture) == "logistic-regression" && result.GetResult(hidden) is { Implicit: false })
            {
                result.AddError("Option '--hidden' cannot be used with '--architecture logistic-regression', because logistic regression "
                    + "has no hidden layers. Leave --hidden out, or train an mlp.");
            }
        }));
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            var settings = new ModelSettings
            {
                Architecture = parseResult.GetValue(architecture) == "logistic-regression" ? Architecture.LogisticRegression : Architecture.Mlp,
                ExcludeSensitiveFeature = parseResult.GetValue(excludeSensitive),
            };
            settings.Hidden.AddRange(parseResult.GetValue(hidden) ?? []);
            if (parseResult.GetValue(epochs) is { } epochCount)
            {
                settings.Epochs = epochCount;
            }

            if (parseResult.GetValue(batchSize) is { } batch)
            {
                settings.BatchSize = batch;
            }

            if (parseResult.GetValue(learningRate) is { } rate)
            {
                settings.LearningRate = rate;
            }

            if (parseResult.GetValue(seed) is { } seedValue)
            {
                settings.Seed = (uint)seedValue;
            }

            var request = new TrainModelRequest
            {
                Dataset = parseResult.GetRequiredValue(dataset),
                Name = parseResult.GetValue(name) ?? "",
                Settings = settings,
            };
            return await RunAsync(parseResult.GetRequiredValue(server), request, jsonPath, console, token);
        }, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string serverUrl, TrainModelRequest request, string? jsonPath, CliConsole console, CancellationToken cancellationToken)
    {
        using var connection = Client.ComputeConnection.Open(serverUrl, console);
        var (exitCode, result) = await TrainRunner.TrainAndWatchAsync(connection, console, request, cancellationToken);
        if (result is null)
        {
            return exitCode;
        }

        ResultPrinter.WriteTrain(result, jsonPath == ProtoJson.StandardOutput ? console.Error : console.Out);
        if (jsonPath is not null)
        {
            await ProtoJson.WriteAsync(result, jsonPath, console.Out, cancellationToken);
        }

        return ExitCodes.Success;
    }

    private static Option<int?> PositiveInt(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = NumberParsers.NullableInt32(name, ">= 1", value => value >= 1),
    };

    /// <summary>Parses "64,32", and repeated options, into hidden layer widths.</summary>
    private static int[] ParseWidths(ArgumentResult result)
    {
        var widths = new List<int>();
        foreach (var token in result.Tokens)
        {
            foreach (string text in token.Value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (text.Length == 0)
                {
                    result.AddError($"Invalid value '{token.Value}' for option '--hidden': it contains an empty width. "
                        + "Separate the widths with single commas, for example 64,32.");
                    return [];
                }

                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int width) || width is < 1 or > MaxHiddenWidth)
                {
                    result.AddError($"Invalid width '{text}' for option '--hidden': expected a whole number in [1, {MaxHiddenWidth}].");
                    return [];
                }

                widths.Add(width);
            }
        }

        return [.. widths];
    }
}
