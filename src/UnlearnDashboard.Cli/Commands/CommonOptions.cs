using System.CommandLine;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public const string DefaultServer = "http://127.0.0.1:5001";
    public const string ServerEnvironmentVariable = "UNLEARN_SERVER";

    public static Option<string> Server(CliConsole console) => new("--server")
    {
        HelpName = "URL",
        Description = $"URL of the compute server (default: ${ServerEnvironmentVariable}, else {DefaultServer}).",
        DefaultValueFactory = _ => console.GetEnvironmentVariable(ServerEnvironmentVariable) is { Length: > 0 } server
            ? server
            : DefaultServer,
    };

    public static Option<string?> Json(string content) => new("--json")
    {
        Description = $"Also write {content} as protobuf JSON to this file ('-' writes to stdout).",
        HelpName = "FILE",
    };
}
