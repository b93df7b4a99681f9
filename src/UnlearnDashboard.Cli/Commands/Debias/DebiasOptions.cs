using System.CommandLine;
using System.CommandLine.Parsing;
using UnlearnDashboard.Cli.Commands.Train;

namespace UnlearnDashboard.Cli.Commands.Debias;

/// <summary>The options of <c>unlearn debias</c>.</summary>
internal sealed class DebiasOptions(CliConsole console)
{
    /// <summary>
    /// Hidden layer widths of the MLP that <c>--data</c> trains, the server's default. They are sent explicitly, so that the
    /// <c>--layers</c> check before the upload matches the model's layers, fc1 to fc3.
    /// </summary>
    public static readonly IReadOnlyList<int> DataModelHidden = [64, 32];

    public Option<string> Server { get; } = CommonOptions.Server(console);

    public Option<string?> Dataset { get; } = new("--dataset")
    {
        Description = "Name or id of a dataset already on the server. Use this or --data.",
        HelpName = "NAME",
    };

    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Training file to upload, CSV or Parquet; a model is trained on it first. Use this or --dataset.",
        HelpName = "FILE",
    };

    public Option<string?> TestData { get; } = new("--test-data")
    {
        Description = "Test file (CSV or Parquet) to upload with --data (default: the server splits the test set off --data).",
        HelpName = "FILE",
    };

    public Option<string?> Name { get; } = new("--name")
    {
        Description = "Dataset name for --data (default: the file name plus a hash of the files and settings).",
        HelpName = "NAME",
    };

    public Option<string?> Label { get; } = new("--label")
    {
        Description = "Label column of the --data file.",
        HelpName = "COLUMN",
    };

    public Option<string?> Positive { get; } = new("--positive")
    {
        Description = "Label value that counts as the favourable outcome, for example '>50K' (with --data).",
        HelpName = "VALUE",
    };

    public Option<string> Sensitive { get; } = new("--sensitive")
    {
        Description = "Sensitive attribute column whose bias is removed; must be the dataset's sensitive column.",
        HelpName = "COLUMN",
        Required = true,
        Validators = { TextValidators.NotBlank("--sensitive", "a column name") },
    };

    public Option<string?> ReferenceGroup { get; } = new("--reference-group")
    {
        Description = "Group the disparate impact ratio is measured against (with --data; default: the largest group).",
        HelpName = "GROUP",
    };

    public Option<bool> ExcludeMissingSensitive { get; } = new("--exclude-missing-sensitive")
    {
        Description = "Leave out rows whose sensitive value is missing instead of rejecting the file (with --data).",
    };

    public Option<bool> ExcludeMissingLabel { get; } = new("--exclude-missing-label")
    {
        Description = "Leave out rows whose label is missing instead of rejecting the file (with --data).",
    };

    public Option<int?> Epochs { get; } = new("--epochs")
    {
        Description = $"Training epochs of the model trained on --data, in [1, {TrainCommand.MaxEpochs}] (default: the server's, 10).",
        HelpName = "N",
        CustomParser = NumberParsers.NullableInt32("--epochs", $"in [1, {TrainCommand.MaxEpochs}]", value => value is >= 1 and <= TrainCommand.MaxEpochs),
    };

    public Option<string?> Model { get; } = new("--model")
    {
        Description = "Model version id to debias (with --dataset; default: the dataset's default version).",
        HelpName = "VERSION_ID",
        Validators = { TextValidators.NotBlank("--model", "a model version id") },
    };

    public Option<double?> RemoveFraction { get; } = new("--remove-fraction")
    {
        Description = "Fraction of training samples to remove or replace, in (0, 0.5] (default: 0.05); methods that rank samples only.",
        HelpName = "FRACTION",
        CustomParser = NumberParsers.NullableDouble("--remove-fraction", "in (0, 0.5]", value => value is > 0 and <= 0.5),
    };

    /// <summary>Value of <c>--layers</c> that makes the server choose the layers by bias attribution.</summary>
    public const string AutoLayers = "auto";

    public Option<string[]> Layers { get; } = new("--layers")
    {
        Description = "Linear layers to change, comma-separated, for example fc3 or fc2,fc3, or 'auto' to choose them by bias attribution (default: the last layer).",
        HelpName = "LAYER,...",
        Validators =
        {
            result =>
            {
                foreach (string value in result.GetValueOrDefault<string[]>() ?? [])
                {
                    if (value.Split(',').Any(name => name.Trim().Length == 0))
                        result.AddError($"Invalid value '{value}' for option '--layers': a layer name is empty.");
                }
            },
        },
    };

    public Option<double?> Damping { get; } = new("--damping")
    {
        Description = "Damping lambda added to the curvature, in [0, 10000] (default: the smallest of 1e-4 ... 1 at which the solve converges).",
        HelpName = "LAMBDA",
        CustomParser = NumberParsers.NullableDouble("--damping", "in [0, 10000]", value => value is >= 0 and <= 10_000),
    };

    public Option<double?> MaxAccuracyLoss { get; } = new("--max-accuracy-loss")
    {
        Description = "Largest drop in validation accuracy allowed, in [0, 1], for example 0.01; a larger drop scales the update back "
            + "towards the base model (default: no limit).",
        HelpName = "LOSS",
        CustomParser = NumberParsers.NullableDouble("--max-accuracy-loss", "in [0, 1]", value => value is >= 0 and <= 1),
    };

    public Option<double?> Deadline { get; } = new("--deadline")
    {
        Description = "Cancel the job on the server if it has not finished this many seconds after submission, in (0, 2592000] (30 days).",
        HelpName = "SECONDS",
        CustomParser = NumberParsers.NullableDouble("--deadline", "in (0, 2592000]", value => value is > 0 and <= 2_592_000),
    };

    public Option<bool> CompareRetrain { get; } = new("--compare-retrain")
    {
        Description = "Also retrain from scratch without the removed samples, for comparison.",
    };

    public Option<string?> Json { get; } = CommonOptions.Json("the debias result");

    public DebiasMethodOptions Method { get; } = new();

    public IEnumerable<Option> All =>
    [
        Server, Dataset, Data, TestData, Name, Label, Positive, Sensitive, ReferenceGroup,
        ExcludeMissingSensitive, ExcludeMissingLabel, Epochs, Model, RemoveFraction, Layers,
        Damping, MaxAccuracyLoss, Deadline, CompareRetrain, Json, .. Method.All,
    ];

    /// <summary>Adds the rules that relate options to each other. The options' own parsers check numeric ranges.</summary>
    public void AddValidators(Command command)
    {
        command.Validators.Add(CommandValidators.WhenValuesParse(ValidateCombination));
    }

    private void ValidateCombination(CommandResult result)
    {
        var hasDataset = result.GetValue(Dataset) is not null;
        var hasData = result.GetValue(Data) is not null;
        if (hasDataset == hasData)
        {
            result.AddError("Give either --dataset NAME (a dataset on the server) or --data FILE (a CSV or Parquet file to upload), not both or neither.");
            return;
        }

        if (hasData)
        {
            RequireWithData(result, Label);
            RequireWithData(result, Positive);
            RejectWithData(result, Model, "the model is trained on the uploaded data");
            RejectWithData(result, Method.CounterfactualSet, "a new dataset has no approved counterfactual set yet");

            // These methods need an approved set, so the upload and the training would be left behind for nothing.
            if (result.GetValue(Method.Method) is "counterfactual-fine-tune" or "data-free")
            {
                result.AddError($"Option '--method {result.GetValue(Method.Method)}' cannot be used with --data, because it needs an approved "
                    + "counterfactual set, which a dataset uploaded now cannot have. Upload with another method first, then generate a set, "
                    + "have another person approve it, and run with --dataset.");
            }

            // The server rejects a seed that nothing reads (jobs.proto), but only after the upload and the training. Of the
            // methods allowed with --data, only gradient ascent and the LiSSA solver draw at random.
            if (result.GetValue(Method.Seed) is not null && result.GetValue(Method.Method) != "gradient-ascent" && result.GetValue(Method.Solver) != "lissa")
            {
                result.AddError("Option '--seed' cannot be used with --data here, because the method reads no seed unless it is gradient-ascent "
                    + "or --solver is lissa; conjugate gradients draw nothing at random.");
            }

            // The server checks the layer names against the model only when the debias job is submitted, which is after the
            // upload and the training.
            RejectLayersNotInDataModel(result);

            return;
        }

        foreach (Option option in new Option[] { TestData, Name, Label, Positive, ReferenceGroup, Epochs })
        {
            if (result.GetResult(option) is { Implicit: false })
            {
                result.AddError($"Option '{option.Name}' applies only with --data.");
            }
        }

        foreach (Option<bool> flag in new[] { ExcludeMissingSensitive, ExcludeMissingLabel })
        {
            if (result.GetValue(flag))
            {
                result.AddError($"Option '{flag.Name}' applies only with --data.");
            }
        }
    }

    private void RejectLayersNotInDataModel(CommandResult result)
    {
        var names = DebiasCommand.SplitList(result.GetValue(Layers)).ToList();
        if (names is [AutoLayers])
        {
            return;
        }

        // An MLP with k hidden layers has the linear layers fc1 to fc(k+1).
        var known = Enumerable.Range(1, DataModelHidden.Count + 1).Select(index => $"fc{index}").ToList();
        string knownText = string.Join(", ", known);
        foreach (string name in names.Distinct())
        {
            if (name == AutoLayers)
            {
                result.AddError($"Invalid value '{AutoLayers}' for option '--layers': it chooses the layers itself, so give it alone.");
            }
            else if (!known.Contains(name))
            {
                result.AddError($"Invalid layer '{name}' for option '--layers': the MLP that --data trains has the layers {knownText}. "
                    + $"Name one or more of them, or give '{AutoLayers}'.");
            }
            else if (names.Count(other => other == name) > 1)
            {
                result.AddError($"Invalid layer '{name}' for option '--layers': the layer is named more than once; name each layer once.");
            }
        }
    }

    private static void RequireWithData(CommandResult result, Option<string?> option)
    {
        if (string.IsNullOrWhiteSpace(result.GetValue(option)))
        {
            result.AddError($"Option '{option.Name}' is required with --data.");
        }
    }

    private static void RejectWithData(CommandResult result, Option<string?> option, string reason)
    {
        if (result.GetValue(option) is not null)
        {
            result.AddError($"Option '{option.Name}' cannot be used with --data, because {reason}.");
        }
    }
}
