namespace UnlearnDashboard.Cli;

/// <summary>
/// Output streams and process environment of one CLI run, kept apart from <see cref="Console"/> so
/// that tests can run the CLI in-process.
/// </summary>
/// <param name="Out">Results: tables and JSON written to "-".</param>
/// <param name="Error">Progress, notices and error messages.</param>
/// <param name="ErrorIsTerminal">True when <paramref name="Error"/> is an interactive terminal, so progress is redrawn in place.</param>
/// <param name="GetEnvironmentVariable">Reads an environment variable, for example UNLEARN_SERVER.</param>
public sealed record CliConsole(
    TextWriter Out,
    TextWriter Error,
    bool ErrorIsTerminal,
    Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>
    /// The API key that every server call sends: --api-key, else $UNLEARN_API_KEY, else null. <see cref="CliApp"/> sets
    /// it after parsing and before the command runs.
    /// </summary>
    public string? ApiKey { get; internal set; }

    /// <summary>
    /// A PEM or DER file of certificates that an https:// server's certificate may chain to, besides the system's
    /// roots: --ca-certificate, else $UNLEARN_CA_CERTIFICATE, else null. Set by <see cref="CliApp"/> like <see cref="ApiKey"/>.
    /// </summary>
    public string? CaCertificatePath { get; internal set; }

    /// <summary>
    /// Why the last server certificate was rejected, set by the certificate check of <see cref="Client.ComputeConnection"/>
    /// so that the error message names the fault. Null when no certificate was rejected.
    /// </summary>
    internal Client.TlsRejection? TlsRejection { get; set; }

    public static CliConsole FromSystemConsole() => new(
        Console.Out,
        Console.Error,
        ErrorIsTerminal: !Console.IsErrorRedirected,
        Environment.GetEnvironmentVariable);

    /// <summary>Creates a console that writes to the given writers and reads no environment variables.</summary>
    public static CliConsole ForWriters(TextWriter stdout, TextWriter stderr) => new(
        stdout,
        stderr,
        ErrorIsTerminal: false,
        static _ => null);
}
