using System.CommandLine;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public const string DefaultServer = "http://127.0.0.1:5001";
    public const string ServerEnvironmentVariable = "UNLEARN_SERVER";
    public const string ApiKeyEnvironmentVariable = "UNLEARN_API_KEY";
    public const string CaCertificateEnvironmentVariable = "UNLEARN_CA_CERTIFICATE";

    /// <summary>
    /// <c>--api-key</c>, on the root command and every subcommand. Its value is read by <see cref="CliApp"/>, because
    /// the key is sent on every call of every command.
    /// </summary>
    public static Option<string?> ApiKey()
    {
        var option = new Option<string?>("--api-key")
        {
            HelpName = "SECRET",
            Description = $"API key sent to the compute server (default: ${ApiKeyEnvironmentVariable}). The server's first start writes "
                + "one key per role to credentials.json in its data folder.",
            Recursive = true,
        };

        // An empty value, for example from an unset shell variable, would otherwise fall back to the environment's key
        // and run the command as another user without saying so.
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(token => string.IsNullOrWhiteSpace(token.Value)))
            {
                result.AddError($"Invalid value '' for option '--api-key': the key is empty. Pass a key, or leave the option out "
                    + $"to use ${ApiKeyEnvironmentVariable}.");
            }
        });
        return option;
    }

    /// <summary><c>--ca-certificate</c>, on the root command and every subcommand; read by <see cref="CliApp"/> like <c>--api-key</c>.</summary>
    public static Option<string?> CaCertificate() => new("--ca-certificate")
    {
        HelpName = "PATH",
        Description = $"PEM or DER file with the certificate of the CA that signed an https:// server's certificate, or the server's own "
            + $"self-signed certificate, trusted besides the system's CAs (default: ${CaCertificateEnvironmentVariable}).",
        Recursive = true,
    };

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
