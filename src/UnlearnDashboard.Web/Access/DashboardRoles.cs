using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// Role names in the dashboard's claims and <c>[Authorize(Roles = ...)]</c> attributes, one per
/// <see cref="Role"/>. The names are the keys of the compute server's credentials.json.
/// </summary>
public static class DashboardRoles
{
    public const string Viewer = "viewer";
    public const string Engineer = "engineer";
    public const string Compliance = "compliance";
    public const string Admin = "admin";

    /// <summary>
    /// Returns the role's claim value, or an empty string for <see cref="Role.Unspecified"/> and for the retired
    /// <see cref="Role.Dashboard"/>, which may do nothing.
    /// </summary>
    public static string NameOf(Role role) => role switch
    {
        Role.Viewer => Viewer,
        Role.Engineer => Engineer,
        Role.Compliance => Compliance,
        Role.Admin => Admin,
        _ => "",
    };

    /// <summary>Returns the role as people read it, for example "ML engineer".</summary>
    public static string Describe(string role) => role switch
    {
        Viewer => "viewer",
        Engineer => "ML engineer",
        Compliance => "compliance officer",
        Admin => "admin",
        _ => "no role",
    };

    public static string Describe(Role role) => Describe(NameOf(role));
}
