using System.CommandLine;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Debias;

/// <summary><c>unlearn debias</c>: removes bias from a model version and prints before/after fairness.</summary>
internal static class DebiasCommand
{
    public static Command Create(CliConsole console) => Create(console, new DebiasOptions(console));

    private static Command Create(CliConsole console, DebiasOptions options)
    {
        var command = new Command(
            "debias",
            "Remove the effect of the training samples that most increase bias from a model by machine unlearning, and compare fairness before and after. " +
            "With --data, upload a CSV file and train a model on it first.");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        options.AddValidators(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            console,
            token => DebiasRunner.RunAsync(ReadSettings(parseResult, options), console, token),
            cancellationToken,
            FlagsByField));
        return command;
    }

    /// <summary>
    /// The flag that sets each DebiasRequest field, and each field of the upload that <c>--data</c> makes (DatasetSpec
    /// fields and the file roles), for server errors that name the field.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> FlagsByField = new Dictionary<string, string>
    {
        ["dataset"] = "--dataset",
        ["model_version_id"] = "--model",
        ["sensitive_attribute"] = "--sensitive",
        ["method"] = "--method",
        ["remove_fraction"] = "--remove-fraction",
        ["layers"] = "--layers",
        ["damping"] = "--damping",
        ["deadline_seconds"] = "--deadline",
        ["newton_steps"] = "--newton-steps",
        ["counterfactual_set_id"] = "--counterfactual-set",
        ["objective"] = "--objective",
        ["solver"] = "--solver",
        ["curvature"] = "--curvature",
        ["saliency"] = "--saliency",
        ["saliency_fraction"] = "--saliency-fraction",
        ["steps"] = "--steps",
        ["learning_rate"] = "--lr",
        ["counterfactual_weight"] = "--mu",
        ["retain_weight"] = "--retain-weight",
        ["seed"] = "--seed",
        ["max_accuracy_loss"] = "--max-accuracy-loss",
        ["evidence"] = "--evidence",
        ["compare_retrain"] = "--compare-retrain",
        ["name"] = "--name",
        ["label_column"] = "--label",
        ["favourable_label"] = "--positive",
        ["sensitive_column"] = "--sensitive",
        ["reference_group"] = "--reference-group",
        ["train_file"] = "--data",
        ["test_file"] = "--test-data",
    };

    /// <summary>Parses a <c>debias</c> command line (without the command name) into settings; throws on usage errors.</summary>
    internal static DebiasSettings ParseSettings(IReadOnlyList<string> args, CliConsole console)
    {
        var options = new DebiasOptions(console);
        var command = Create(console, options);
        var parseResult = command.Parse(args);
        if (parseResult.Errors.Count > 0)
            throw new UsageException(string.Join(Environment.NewLine, parseResult.Errors.Select(e => e.Message)));
        return ReadSettings(parseResult, options);
    }

    private static DebiasSettings ReadSettings(ParseResult parseResult, DebiasOptions options)
    {
        var request = new DebiasRequest
        {
            Dataset = parseResult.GetValue(options.Dataset) ?? "",
            ModelVersionId = parseResult.GetValue(options.Model) ?? "",
            SensitiveAttribute = parseResult.GetRequiredValue(options.Sensitive),
            CompareRetrain = parseResult.GetValue(options.CompareRetrain),
        };
        if (parseResult.GetValue(options.RemoveFraction) is { } removeFraction)
        {
            request.RemoveFraction = removeFraction;
        }

        request.Layers.AddRange(SplitList(parseResult.GetValue(options.Layers)));
        options.Method.Apply(parseResult, request);
        if (parseResult.GetValue(options.Damping) is { } damping)
        {
            request.Damping = damping;
        }

        if (parseResult.GetValue(options.MaxAccuracyLoss) is { } maxAccuracyLoss)
        {
            request.MaxAccuracyLoss = maxAccuracyLoss;
        }

        if (parseResult.GetValue(options.Deadline) is { } deadline)
        {
            request.DeadlineSeconds = deadline;
        }

        return new DebiasSettings(
            Server: parseResult.GetRequiredValue(options.Server),
            Request: request,
            Upload: ReadUpload(parseResult, options),
            JsonPath: parseResult.GetValue(options.Json));
    }

    private static UploadSettings? ReadUpload(ParseResult parseResult, DebiasOptions options)
    {
        if (parseResult.GetValue(options.Data) is not { } dataPath)
        {
            return null;
        }

        var spec = new DatasetSpec
        {
            Name = parseResult.GetValue(options.Name) ?? "",
            LabelColumn = parseResult.GetValue(options.Label) ?? "",
            FavourableLabel = parseResult.GetValue(options.Positive) ?? "",
            SensitiveColumn = parseResult.GetRequiredValue(options.Sensitive),
            ReferenceGroup = parseResult.GetValue(options.ReferenceGroup) ?? "",
            MissingLabel = parseResult.GetValue(options.ExcludeMissingLabel) ? MissingValuePolicy.Exclude : MissingValuePolicy.Reject,
            MissingSensitive = parseResult.GetValue(options.ExcludeMissingSensitive) ? MissingValuePolicy.Exclude : MissingValuePolicy.Reject,
        };
        var modelSettings = new ModelSettings { Architecture = Architecture.Mlp, Hidden = { DebiasOptions.DataModelHidden } };
        if (parseResult.GetValue(options.Epochs) is { } epochs)
        {
            modelSettings.Epochs = epochs;
        }

        return new UploadSettings(dataPath, parseResult.GetValue(options.TestData), spec, modelSettings);
    }

    /// <summary>Splits "fc2,fc3" and repeated options into layer names, dropping empty entries.</summary>
    internal static IEnumerable<string> SplitList(string[]? values) =>
        (values ?? [])
            .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
