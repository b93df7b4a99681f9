using System.Reflection;

namespace UnlearnDashboard.AppHost;

/// <summary>Paths that the build embedded in this assembly: the repository root and the launched projects' assemblies.</summary>
internal static class BuildOutputs
{
    public const string ComputeAssembly = "UnlearnDashboard.Compute";
    public const string WebAssembly = "UnlearnDashboard.Web";

    public static string RepoRoot => Read("RepoRoot");

    /// <summary>Returns the full path of a launched project's main assembly, for example .../bin/Debug/net10.0/UnlearnDashboard.Compute.dll.</summary>
    public static string AssemblyPath(string assemblyName) => Read(assemblyName);

    private static string Read(string key) =>
        typeof(BuildOutputs).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == key)?.Value
        ?? throw new InvalidOperationException($"The build did not embed the assembly metadata '{key}'. Rebuild UnlearnDashboard.AppHost.");
}
