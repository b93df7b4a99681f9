using System.ComponentModel.DataAnnotations;

namespace UnlearnDashboard.Web.Access;

/// <summary>Settings of sign-in and sessions, bound from the <c>Access</c> section.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>
    /// Folder of the dashboard's own files: the data protection keys that encrypt the authentication cookie, so
    /// sessions survive a restart while their compute session token is valid. Default <c>./web-data</c>,
    /// resolved against the working directory.
    /// </summary>
    [Required]
    public string DataDirectory { get; set; } = "./web-data";

    /// <summary>
    /// Seconds between checks that the compute server still accepts a signed-in user's session token, for a
    /// revoked user or token. Default 30.
    /// </summary>
    [Range(1, 3600)]
    public double SessionCheckSeconds { get; set; } = 30;

    public string KeysDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "keys");
}
