using System.Text.Json;

namespace UnlearnDashboard.Compute.Access;

/// <summary>
/// <c>DataDirectory/credentials.json</c>: a JSON object of the first API key secrets keyed by role name
/// ("viewer", "engineer", "compliance", "admin"), readable by the server's user only.
/// </summary>
public static class CredentialsFile
{
    public const string FileName = "credentials.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>
    /// Writes the file atomically with mode 0600: a temporary file created with that mode is renamed over the
    /// old one, so no reader ever sees a partial file or one readable by others.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> secretsByRole)
    {
        string temporary = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        using (var stream = new FileStream(temporary, fileOptions))
        {
            JsonSerializer.Serialize(stream, secretsByRole, JsonOptions);
            stream.Flush(flushToDisk: true);
        }

        // UnixCreateMode applies only when the file is new, so a temporary file left by a crash keeps its mode; set it.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the secrets by role name.</summary>
    public static IReadOnlyDictionary<string, string> Read(string path) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
        ?? throw new InvalidDataException($"{path} does not contain a JSON object of secrets by role.");
}
