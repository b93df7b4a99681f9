using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Browser.Tests;

/// <summary>The role names of the compute server's credentials.json, which the fixture's users have.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Engineer = "engineer";
    public const string Compliance = "compliance";
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Engineer, Compliance, Admin];

    public static Role ToProto(string role) => role switch
    {
        Viewer => Role.Viewer,
        Engineer => Role.Engineer,
        Compliance => Role.Compliance,
        Admin => Role.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a role name of credentials.json."),
    };
}
