using System.Reflection;

namespace UnlearnDashboard.Compute.Hosting;

/// <summary>
/// Version of the compute server and the git commit it was built from, read from the assembly's informational
/// version. The .NET SDK appends "+COMMIT" to it when it builds from a git checkout (SourceRevisionId).
/// </summary>
public static class ProductInfo
{
    private static readonly string Informational =
        typeof(ProductInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    /// <summary>The version without the commit, for example "1.0.0".</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>The commit, 40 hex digits; empty when the build had no git metadata.</summary>
    public static string SourceRevision { get; } = Informational.Contains('+') ? Informational[(Informational.IndexOf('+') + 1)..] : "";
}
