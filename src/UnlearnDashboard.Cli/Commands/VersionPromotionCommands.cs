using System.CommandLine;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands;

/// <summary><c>unlearn versions lineage</c>, <c>promote</c> and <c>gate set|show</c>.</summary>
internal static class VersionPromotionCommands
{
    public static Command CreateLineage(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var version = new Argument<string>("VERSION_ID") { Description = "The version whose lineage to show." };
        var json = CommonOptions.Json("the lineage");
        var command = new Command("lineage", "Show where a version came from and what reproduces it: parent, job and request, dataset hashes, seed, removed rows, build.")
        {
            server, version, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var lineage = await connection.Versions.GetLineageAsync(new GetLineageRequest { VersionId = parseResult.GetRequiredValue(version) }, cancellationToken: token);

            await ListOutput.WriteAsync(lineage, jsonPath, console, token, writer => WriteLineage(lineage, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    public static Command CreatePromote(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var version = new Argument<string>("VERSION_ID") { Description = "The version to promote; promote an older version to roll back." };
        var alias = new Option<string>("--alias")
        {
            Description = "Alias to point at the version: champion (checked by the model's release gate) or candidate.",
            DefaultValueFactory = _ => "champion",
        };
        alias.AcceptOnlyFromAmong("champion", "candidate");
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit trail." };
        var json = CommonOptions.Json("the promotion");
        var command = new Command("promote",
            "Point the champion or candidate alias of the version's model at the version. Promotion to champion must pass the model's release gate; " +
            "a failed rule exits with 2 and names it.")
        {
            server, version, alias, reason, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var response = await connection.Versions.PromoteVersionAsync(new PromoteVersionRequest
            {
                VersionId = parseResult.GetRequiredValue(version),
                Alias = parseResult.GetRequiredValue(alias),
                Reason = parseResult.GetValue(reason) ?? "",
            }, cancellationToken: token);

            await ListOutput.WriteAsync(response, jsonPath, console, token, writer =>
            {
                writer.WriteLine($"{response.Alias.Alias} of model {response.Alias.ModelId}: {response.Alias.VersionId} (was {Formats.OrDash(response.PreviousVersionId)})");
                if (response.Verdict is not null)
                    WriteVerdict(response.Verdict, writer);
            });
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    public static Command CreateGate(CliConsole console)
    {
        return new Command("gate", "Show or set a model's release gate, the rules a version must pass to become champion.")
        {
            CreateGateShow(console),
            CreateGateSet(console),
        };
    }

    private static Command CreateGateShow(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var model = new Argument<string>("MODEL_ID") { Description = "The model whose gate to show." };
        var json = CommonOptions.Json("the gate");
        var command = new Command("show", "Show a model's release gate; a model without one has the default gate.") { server, model, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var gate = await connection.Versions.GetReleaseGateAsync(new GetReleaseGateRequest { ModelId = parseResult.GetRequiredValue(model) }, cancellationToken: token);

            await ListOutput.WriteAsync(gate, jsonPath, console, token, writer => WriteGate(gate, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateGateSet(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var model = new Argument<string>("MODEL_ID") { Description = "The model whose gate to set." };
        var minRatio = new Option<double?>("--min-impact-ratio")
        {
            Description = "Smallest disparate impact ratio (lowest group selection rate over the highest) a champion may have, in [0, 1]. Left out, the rule is off.",
            CustomParser = NumberParsers.NullableDouble("--min-impact-ratio", "in [0, 1]", v => v is >= 0 and <= 1),
            HelpName = "RATIO",
        };
        var maxDrop = new Option<double?>("--max-accuracy-drop")
        {
            Description = "Largest test accuracy drop against the current champion (or the lineage root when there is none), in [0, 1]. Left out, the rule is off.",
            CustomParser = NumberParsers.NullableDouble("--max-accuracy-drop", "in [0, 1]", v => v is >= 0 and <= 1),
            HelpName = "DROP",
        };
        var off = new Option<bool>("--off")
        {
            Description = "Check no rule, so that promotion to champion passes any version. Not with a rule option.",
        };
        var json = CommonOptions.Json("the gate");
        var command = new Command("set", "Replace a model's release gate.") { server, model, minRatio, maxDrop, off, json };

        // Without a rule the server stores a gate that checks nothing. A command line that names no rule is more
        // likely a mistake than that intent, so the intent must be explicit.
        command.Validators.Add(CommandValidators.WhenValuesParse(result =>
        {
            bool anyRule = result.GetValue(minRatio) is not null || result.GetValue(maxDrop) is not null;
            if (result.GetValue(off) && anyRule)
                result.AddError("--off checks no rule, so it cannot be given with --min-impact-ratio or --max-accuracy-drop.");
            else if (!result.GetValue(off) && !anyRule)
                result.AddError("Give --min-impact-ratio, --max-accuracy-drop or both, or --off to check no rule.");
        }));
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            var request = new SetReleaseGateRequest { ModelId = parseResult.GetRequiredValue(model) };
            if (parseResult.GetValue(minRatio) is { } ratio)
                request.MinDisparateImpactRatio = ratio;
            if (parseResult.GetValue(maxDrop) is { } drop)
                request.MaxAccuracyDrop = drop;

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var gate = await connection.Versions.SetReleaseGateAsync(request, cancellationToken: token);

            await ListOutput.WriteAsync(gate, jsonPath, console, token, writer => WriteGate(gate, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static void WriteGate(ReleaseGate gate, TextWriter writer)
    {
        writer.WriteLine($"model:                      {gate.ModelId}{(gate.IsDefault ? " (default gate)" : "")}");
        writer.WriteLine($"min disparate impact ratio: {(gate.HasMinDisparateImpactRatio ? Formats.Metric(gate.MinDisparateImpactRatio) : "not checked")}");
        writer.WriteLine($"max accuracy drop:          {(gate.HasMaxAccuracyDrop ? Formats.Metric(gate.MaxAccuracyDrop) : "not checked")}");
        if (!gate.IsDefault)
            writer.WriteLine($"set by:                     {gate.UpdatedBy} at {Formats.Time(gate.UpdatedAt)}");
    }

    private static void WriteVerdict(GateVerdict verdict, TextWriter writer)
    {
        writer.WriteLine($"release gate: {(verdict.Passed ? "passed" : "FAILED")} against {verdict.ReferenceKind} {verdict.ReferenceVersionId}");
        foreach (var rule in verdict.Rules)
            writer.WriteLine($"  {(rule.Passed ? "pass" : "FAIL")}  {rule.Message}");
    }

    private static void WriteLineage(VersionLineage lineage, TextWriter writer)
    {
        writer.WriteLine($"version:          {lineage.VersionId}");
        writer.WriteLine($"model:            {lineage.ModelId}");
        writer.WriteLine($"aliases:          {Formats.OrDash(string.Join(",", lineage.Aliases))}");
        writer.WriteLine($"parent:           {Formats.OrDash(lineage.ParentVersionId)}");
        writer.WriteLine($"job:              {Formats.OrDash(lineage.JobId)} ({lineage.RequestCase})");
        writer.WriteLine($"request sha256:   {Formats.OrDash(lineage.RequestSha256)}");
        writer.WriteLine($"dataset:          {Formats.OrDash(lineage.DatasetId)} version {lineage.DatasetVersion}");
        writer.WriteLine($"train sha256:     {Formats.OrDash(lineage.DatasetTrainSha256)}");
        writer.WriteLine($"test sha256:      {Formats.OrDash(lineage.DatasetTestSha256)}");
        writer.WriteLine($"seed:             {lineage.Seed}");
        writer.WriteLine($"removed rows:     {lineage.RemovedRowIds.Count}");
        writer.WriteLine($"counterfactuals:  {Formats.OrDash(lineage.CounterfactualSetId)}");
        writer.WriteLine($"accuracy:         {Formats.Metric(lineage.TestReport?.HasAccuracy == true ? lineage.TestReport.Accuracy : null)}");
        writer.WriteLine($"DI ratio:         {Formats.Metric(lineage.TestReport?.HasDisparateImpactRatio == true ? lineage.TestReport.DisparateImpactRatio : null)}");
        writer.WriteLine($"built by:         {Formats.OrDash(lineage.ProductVersion)} commit {Formats.OrDash(lineage.SourceRevision)}");
        writer.WriteLine($"created:          {Formats.Time(lineage.CreatedAt)}");
        if (lineage.GateVerdict is not null)
            WriteVerdict(lineage.GateVerdict, writer);
    }
}
