using System.Runtime.InteropServices;

namespace UnlearnDashboard.AppHost;

/// <summary>Locates the dotnet host that runs this launcher, to start the servers with the same runtime.</summary>
internal static class DotnetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var executableName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

        // Started as "dotnet UnlearnDashboard.AppHost.dll": the current process is the host.
        if (Environment.ProcessPath is { } processPath
            && string.Equals(System.IO.Path.GetFileName(processPath), executableName, StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        // Started through the native launcher (as "dotnet run" does): the host sits three folders above
        // the shared runtime folder, for example /usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.0/.
        foreach (var root in new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), RuntimeRoot() })
        {
            if (root is not null && File.Exists(System.IO.Path.Combine(root, executableName)))
            {
                return System.IO.Path.Combine(root, executableName);
            }
        }

        // Fall back to the search path.
        return executableName;
    }

    private static string RuntimeRoot() =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
}
