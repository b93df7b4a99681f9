using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary><c>unlearn compare BASELINE CANDIDATE</c>: compares two model versions on one split.</summary>
internal static class CompareCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var baseline = new Argument<string>("BASELINE") { Description = "Version compared against, for example the parent or the champion." };
        var candidate = new Argument<string>("CANDIDATE") { Description = "Version under review." };
        var split = new Option<string>("--split") { Description = "Split both versions are evaluated on: train, validation or test.", DefaultValueFactory = _ => "test" };
        var resamples = new Option<int?>("--resamples")
        {
            Description = "Paired bootstrap resamples for the intervals, in [10, 100000] (default 1000).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--resamples", "in [10, 100000]", value => value is >= 10 and <= 100_000),
        };
        var seed = new Option<uint?>("--seed")
        {
            Description = "Seed of the bootstrap, in [0, 4294967295] (default 0).",
            HelpName = "SEED",
            CustomParser = NumberParsers.NullableUInt32("--seed", "in [0, 4294967295]"),
        };
        var examples = new Option<int?>("--examples")
        {
            Description = "Flipped rows to list, in [0, 100] (default 10).",
            HelpName = "N",
            CustomParser = NumberParsers.NullableInt32("--examples", "in [0, 100]", value => value is >= 0 and <= 100),
        };
        var json = CommonOptions.Json("the comparison");
        var command = new Command("compare", "Compare two model versions: metric changes with intervals, four-fifths ratios, flipped decisions, layer changes and removed rows.")
        {
            server, baseline, candidate, split, resamples, seed, examples, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            var request = new CompareVersionsRequest
            {
                BaselineVersionId = parseResult.GetRequiredValue(baseline),
                CandidateVersionId = parseResult.GetRequiredValue(candidate),
                Split = parseResult.GetRequiredValue(split),
            };
            if (parseResult.GetValue(resamples) is { } n)
                request.BootstrapResamples = n;
            if (parseResult.GetValue(seed) is { } s)
                request.BootstrapSeed = s;
            if (parseResult.GetValue(examples) is { } e)
                request.FlippedExamples = e;

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Comparisons.CompareVersionsAsync(request, cancellationToken: token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => ComparisonPrinter.Write(response, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
