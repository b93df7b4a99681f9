using Google.Protobuf;

namespace UnlearnDashboard.Cli.Output;

/// <summary>Output of the list and get commands: a table on stdout, or JSON instead of it when --json is "-".</summary>
internal static class ListOutput
{
    public static async Task WriteAsync(
        IMessage response,
        string? jsonPath,
        CliConsole console,
        CancellationToken cancellationToken,
        Action<TextWriter> writeTable)
    {
        if (jsonPath != ProtoJson.StandardOutput)
        {
            writeTable(console.Out);
        }

        if (jsonPath is not null)
        {
            await ProtoJson.WriteAsync(response, jsonPath, console.Out, cancellationToken);
        }
    }
}
