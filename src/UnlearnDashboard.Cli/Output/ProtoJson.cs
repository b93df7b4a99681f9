using Google.Protobuf;

namespace UnlearnDashboard.Cli.Output;

/// <summary>
/// Writes messages in the protobuf JSON mapping. Proto3 optional fields appear exactly when set,
/// a set 0 included, so the JSON carries the same values as the gRPC response.
/// </summary>
internal static class ProtoJson
{
    /// <summary>The file name that stands for stdout.</summary>
    public const string StandardOutput = "-";

    // Default values of fields without presence are left out, as the JSON mapping does by default.
    // Fields with presence (proto3 optional, messages, oneof members) are written whenever set.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation("  "));

    public static string Format(IMessage message) => Formatter.Format(message);

    /// <summary>Writes the message to <paramref name="path"/>, or to <paramref name="stdout"/> when the path is "-".</summary>
    public static async Task WriteAsync(IMessage message, string path, TextWriter stdout, CancellationToken cancellationToken)
    {
        var json = Format(message) + Environment.NewLine;
        if (path == StandardOutput)
        {
            await stdout.WriteAsync(json.AsMemory(), cancellationToken);
            return;
        }

        await File.WriteAllTextAsync(path, json, cancellationToken);
    }

    /// <summary>Checks before any work starts that the output file can be created.</summary>
    /// <exception cref="UsageException">The folder of <paramref name="path"/> does not exist.</exception>
    public static void ValidateOutputPath(string? path)
    {
        if (path is null || path == StandardOutput)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"cannot write --json file '{path}': the path is empty; give a file name, or '{StandardOutput}' for standard output.");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"cannot write --json file '{path}': it is a folder; give a file name in it.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new UsageException($"cannot write --json file '{path}': folder '{folder}' does not exist.");
        }
    }
}
