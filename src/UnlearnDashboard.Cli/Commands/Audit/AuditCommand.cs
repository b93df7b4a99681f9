using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Cli.Client;
using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Audit;

/// <summary><c>unlearn audit list</c> and <c>unlearn audit verify</c>: read and check the server's audit trail.</summary>
internal static class AuditCommand
{
    /// <summary>Entries fetched per ListAuditEntries call; the server's maximum.</summary>
    private const int PageSize = 1000;

    public static Command Create(CliConsole console) => new("audit", "Read and verify the server's append-only audit trail.")
    {
        CreateList(console),
        CreateVerify(console),
    };

    private static Command CreateList(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var actor = new Option<string?>("--actor") { Description = "List only entries by this actor, for example anonymous or system." };
        var action = new Option<string?>("--action") { Description = "List only entries of this action, for example job.submit or rows.view." };
        var subject = new Option<string?>("--subject") { Description = "List only entries about this subject, for example job/ID.", HelpName = "KIND/ID" };
        var since = new Option<string?>("--since") { Description = "List only entries at or after this UTC time (ISO 8601).", HelpName = "TIME" };
        var until = new Option<string?>("--until") { Description = "List only entries before this UTC time (ISO 8601).", HelpName = "TIME" };
        var limit = new Option<int>("--limit")
        {
            Description = "Maximum number of entries to list, oldest first, 1 or more.",
            DefaultValueFactory = _ => 1000,
            HelpName = "N",
            CustomParser = NumberParsers.Int32("--limit", ">= 1", value => value >= 1),
        };
        var json = CommonOptions.Json("the entries");

        var command = new Command("list", "List audit entries, oldest first, with their hashes.") { server, actor, action, subject, since, until, limit, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);
            int maxEntries = parseResult.GetValue(limit);

            var request = new ListAuditEntriesRequest
            {
                Actor = parseResult.GetValue(actor) ?? "",
                Action = parseResult.GetValue(action) ?? "",
                Subject = parseResult.GetValue(subject) ?? "",
                Since = ParseTime(parseResult.GetValue(since), "--since"),
                Until = ParseTime(parseResult.GetValue(until), "--until"),
            };

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var all = new ListAuditEntriesResponse();
            do
            {
                request.PageSize = Math.Min(PageSize, maxEntries - all.Entries.Count);
                var page = await connection.Audit.ListAuditEntriesAsync(request, cancellationToken: token);
                all.Entries.AddRange(page.Entries);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0 && all.Entries.Count < maxEntries);

            await ListOutput.WriteAsync(all, jsonPath, console, token, writer => WriteTable(all, writer));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateVerify(CliConsole console)
    {
        var server = CommonOptions.Server(console);
        var json = CommonOptions.Json("the verification result");

        var command = new Command("verify",
            "Check the audit chain (each entry's hash and its link to the previous one) and the head recorded outside the database. "
            + "Exits with 1 and names the first broken entry when the chain was edited, truncated or recomputed.") { server, json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async token =>
        {
            var jsonPath = parseResult.GetValue(json);
            ProtoJson.ValidateOutputPath(jsonPath);

            using var connection = ComputeConnection.Open(parseResult.GetRequiredValue(server), console);
            var result = await connection.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), cancellationToken: token);

            await ListOutput.WriteAsync(result, jsonPath, console, token, writer => WriteVerification(result, writer));
            if (result.Intact)
                return ExitCodes.Success;

            console.Error.WriteLine($"error: the audit chain is broken at entry {result.FirstBrokenSequence}: {result.Reason}");
            return ExitCodes.Failure;
        }, cancellationToken));
        return command;
    }

    private static Timestamp? ParseTime(string? text, string option)
    {
        if (text is null)
            return null;

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw new UsageException($"invalid {option} '{text}': expected an ISO 8601 time such as 2026-01-31T09:00:00Z.");
        return Timestamp.FromDateTimeOffset(time);
    }

    private static void WriteTable(ListAuditEntriesResponse response, TextWriter writer)
    {
        if (response.Entries.Count == 0)
        {
            writer.WriteLine("No audit entries.");
            return;
        }

        var table = new TextTable("seq", "time", "actor", "action", "subject", "hash", "details").AlignRight(0);
        foreach (var entry in response.Entries)
        {
            table.AddRow(
                Formats.Count(entry.Sequence),
                Formats.Time(entry.Time),
                entry.Actor,
                entry.Action,
                entry.Subject,
                entry.Hash[..Math.Min(12, entry.Hash.Length)],
                entry.DetailsJson);
        }

        table.Write(writer);
    }

    private static void WriteVerification(VerifyAuditChainResponse result, TextWriter writer)
    {
        writer.WriteLine($"chain:          {(result.Intact ? "intact" : "BROKEN")}");
        writer.WriteLine($"sound entries:  {result.EntryCount}");
        if (!result.Intact)
            writer.WriteLine($"first broken:   {result.FirstBrokenSequence}");
        writer.WriteLine($"last hash:      {result.LastHash}");
        writer.WriteLine($"head file:      {(result.RecordedHash.Length == 0 ? "-" : $"{result.RecordedCount} entries, {result.RecordedHash}")}");
        writer.WriteLine($"reason:         {result.Reason}");
    }
}
