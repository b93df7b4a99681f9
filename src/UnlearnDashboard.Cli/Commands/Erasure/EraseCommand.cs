using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Erasure;

/// <summary>
/// <c>unlearn erase</c>: removes named training rows from a model version and the dataset, and prints the certificate;
/// <c>unlearn erasures show|list</c>: reads certificates.
/// </summary>
internal static class EraseCommand
{
    public static Command Create(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var version = new Option<string>("--version")
        {
            Description = "Model version to erase the rows from; it must have been made on the dataset's current version.",
            Required = true,
            HelpName = "VERSION_ID",
        };
        var rows = new Option<long[]>("--rows")
        {
            Description = "Row ids to erase: record positions in the dataset's training file, from 0, then the test file's records "
                + "after its last, separated by commas or spaces. Not with --key-column.",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = ParseRowIds,
            HelpName = "ID,...",
        };
        var keyColumn = new Option<string?>("--key-column")
        {
            Description = "Erase the rows of the dataset's files whose value in this column is one of --key-values. Not with --rows.",
            HelpName = "COLUMN",
        };
        var keyValues = new Option<string[]>("--key-values")
        {
            Description = "Values of --key-column whose rows to erase, separated by commas.",
            CustomParser = result => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
            AllowMultipleArgumentsPerToken = true,
            HelpName = "VALUE,...",
        };
        var layers = new Option<string[]>("--layers")
        {
            Description = "Linear layers to update, for example fc2,fc3; by default the last layer.",
            CustomParser = ParseLayers,
            HelpName = "LAYER,...",
        };
        var newtonSteps = new Option<int?>("--newton-steps")
        {
            Description = "Newton steps, 1 to 50; default 1, the influence-function removal step.",
            CustomParser = NumberParsers.NullableInt32("--newton-steps", "from 1 to 50", v => v is >= 1 and <= 50),
            HelpName = "N",
        };
        var skipRetrain = new Option<bool>("--skip-retrain")
        {
            Description = "Skip the retrain without the rows that the membership-inference check compares against; it then compares against 0.5.",
        };
        var reason = new Option<string?>("--reason") { Description = "Why the rows are erased, for the certificate and the audit trail." };
        var json = CommonOptions.Json("the certificate");
        var command = new Command("erase",
            "Remove named training rows' influence from a model version by Newton removal, check it by membership inference, " +
            "purge the rows from the dataset's training file (a new dataset version) and print the erasure certificate.")
        {
            server, version, rows, keyColumn, keyValues, layers, newtonSteps, skipRetrain, reason, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            var request = new ErasureRequest
            {
                ModelVersionId = parseResult.GetRequiredValue(version),
                RowIds = { parseResult.GetValue(rows) ?? [] },
                KeyColumn = parseResult.GetValue(keyColumn) ?? "",
                KeyValues = { parseResult.GetValue(keyValues) ?? [] },
                Layers = { parseResult.GetValue(layers) ?? [] },
                SkipRetrain = parseResult.GetValue(skipRetrain),
                Reason = parseResult.GetValue(reason) ?? "",
            };
            if (parseResult.GetValue(newtonSteps) is { } steps)
                request.NewtonSteps = steps;
            if (request.RowIds.Count == 0 && request.KeyColumn.Length == 0)
                throw new UsageException("no rows named: pass --rows, or --key-column with --key-values.");
            if (parseResult.GetResult(rows) is not null && parseResult.GetResult(keyColumn) is not null)
            {
                throw new UsageException("--rows and --key-column cannot be used together, because the erasure would take the rows of both. "
                    + "Pass row ids with --rows, or a key column with --key-column and --key-values.");
            }

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var job = await connection.Erasures.SubmitErasureAsync(request, cancellationToken: token);
            int named = job.ErasureRequest.RowIds.Count;
            console.Error.WriteLine($"Submitted erasure job {job.Id} for {named} {(named == 1 ? "row" : "rows")}.");
            var outcome = await JobFollower.FollowAsync(connection, console, job.Id, afterSequence: 0, token);
            if (outcome is not { Succeeded: true })
                return JobFollower.ExitCodeFor(outcome);
            if (ExpectedResult.Erasure(outcome, console.Error) is null)
                return ExitCodes.Failure;

            var certificate = await connection.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = job.Id }, cancellationToken: token);
            await ListOutput.WriteAsync(certificate, jsonPath, console, token, writer => CertificatePrinter.Write(certificate, writer));

            // The rows are purged and the version is stored either way. A failed check means the model may still
            // carry their influence, so a script must not take it for success.
            if (certificate.Verification is not { Passed: true })
            {
                console.Error.WriteLine($"error: erasure {certificate.Id} was committed, but its membership-inference check failed: {certificate.Verification?.Message}");
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    public static Command CreateErasures(CliConsole console) => new("erasures", "Read erasure certificates.")
    {
        CreateShow(console),
        CreateList(console),
    };

    private static Command CreateShow(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var id = new Argument<string>("ID") { Description = "Erasure id, or the id of the erasure job." };
        var json = CommonOptions.Json("the certificate");
        var command = new Command("show", "Show an erasure certificate: rows by id and hash, method, verification and versions affected.") { server, id, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var certificate = await connection.Erasures.GetErasureCertificateAsync(new GetErasureCertificateRequest { Id = parseResult.GetRequiredValue(id) }, cancellationToken: token);

            await ListOutput.WriteAsync(certificate, jsonPath, console, token, writer => CertificatePrinter.Write(certificate, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateList(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var dataset = new Option<string?>("--dataset") { Description = "List only the erasures of this dataset id or name." };
        var json = CommonOptions.Json("the certificates");
        var command = new Command("list", "List erasure certificates, newest first.") { server, dataset, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Erasures.ListErasuresAsync(new ListErasuresRequest { Dataset = parseResult.GetValue(dataset) ?? "" }, cancellationToken: token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer => CertificatePrinter.WriteList(response, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Parses the row ids of every --rows token, each split at commas. An empty item, as in "1,,2", is an error
    /// naming the token, because it usually means an id was lost when the list was built.
    /// </summary>
    private static long[] ParseRowIds(System.CommandLine.Parsing.ArgumentResult result)
    {
        var ids = new List<long>();
        foreach (var token in result.Tokens)
        {
            foreach (string text in token.Value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (text.Length == 0)
                {
                    result.AddError($"Invalid value '{token.Value}' for option '--rows': it contains an empty row id. "
                        + "Separate the ids with single commas, for example 1,2,3.");
                    return [];
                }

                if (!long.TryParse(text, out long id) || id < 0)
                {
                    result.AddError($"Invalid row id '{text}' for option '--rows': expected a whole number of 0 or more.");
                    return [];
                }

                ids.Add(id);
            }
        }

        return [.. ids];
    }

    /// <summary>Splits comma-separated layer names; an empty name is a usage error, as in debias.</summary>
    private static string[] ParseLayers(System.CommandLine.Parsing.ArgumentResult result)
    {
        var names = new List<string>();
        foreach (var token in result.Tokens)
        {
            string[] parts = token.Value.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Any(part => part.Length == 0))
            {
                result.AddError($"Invalid value '{token.Value}' for option '--layers': a layer name is empty.");
                return [];
            }

            names.AddRange(parts);
        }

        return [.. names];
    }
}
