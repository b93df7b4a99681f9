using System.Security.Claims;

namespace UnlearnDashboard.Web.Access;

/// <summary>
/// The signed-in user of one circuit or HTTP request, whose session token every call to the compute server
/// carries. A circuit sets it when it opens, from the authentication state captured from the cookie of the
/// connection that started it; an endpoint sets it from its request.
/// </summary>
public sealed class UserSession
{
    private ClaimsPrincipal _user = new(new ClaimsIdentity());

    /// <summary>Raised when the compute server rejected the session token with UNAUTHENTICATED.</summary>
    public event Action? Rejected;

    public ClaimsPrincipal User
    {
        get => Volatile.Read(ref _user);
        set => Volatile.Write(ref _user, value);
    }

    /// <summary>The compute server's session token, or null when nobody is signed in.</summary>
    public string? Token => SessionClaims.TokenOf(User);

    public string UserName => User.Identity?.IsAuthenticated == true ? User.Identity.Name ?? "" : "";

    /// <summary>One of <see cref="DashboardRoles"/>, or an empty string when nobody is signed in.</summary>
    public string Role => SessionClaims.RoleOf(User);

    /// <summary>Reports that the compute server no longer accepts the session token.</summary>
    public void OnRejected() => Rejected?.Invoke();
}
