using System.ComponentModel.DataAnnotations;

namespace UnlearnDashboard.Compute.Access;

/// <summary>Settings of authentication, bound from the <c>Access</c> section.</summary>
public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>How long a SignIn session token stays valid, in hours. Default 8.</summary>
    [Range(0.01, 720)]
    public double SessionHours { get; set; } = 8;

    /// <summary>
    /// Creates one user and API key per role on a start with no users, and writes their keys to
    /// <c>DataDirectory/credentials.json</c>. Default true.
    /// </summary>
    public bool Bootstrap { get; set; } = true;

    public TimeSpan SessionLifetime => TimeSpan.FromHours(SessionHours);
}
