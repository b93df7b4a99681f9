using Microsoft.AspNetCore.Components.Authorization;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// The user a page renders for, read from the cascading authentication state. Pages enable controls by it, but
/// the compute server decides every call by the session token.
/// </summary>
/// <param name="Name">User name, empty when nobody is signed in.</param>
/// <param name="Role">One of <see cref="DashboardRoles"/>, or empty.</param>
public sealed record SignedInUser(string Name, string Role)
{
    public static readonly SignedInUser Anonymous = new("", "");

    public bool IsEngineer => Role == DashboardRoles.Engineer;

    public bool IsCompliance => Role == DashboardRoles.Compliance;

    public bool IsAdmin => Role == DashboardRoles.Admin;

    /// <summary>Returns the user and role as people read them, for example "ann (viewer)".</summary>
    public string Describe() => $"{Name} ({DashboardRoles.Describe(Role)})";

    public static async Task<SignedInUser> FromAsync(Task<AuthenticationState>? state)
    {
        if (state is null)
            return Anonymous;

        var user = (await state).User;
        return user.Identity?.IsAuthenticated == true
            ? new SignedInUser(user.Identity.Name ?? "", SessionClaims.RoleOf(user))
            : Anonymous;
    }
}
