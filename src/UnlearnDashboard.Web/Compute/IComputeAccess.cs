using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Signs users in and manages users and API keys through the compute server's AccessService.</summary>
/// <remarks>Each method throws <see cref="ComputeUnavailableException"/> with the server's message when the call fails.</remarks>
public interface IComputeAccess
{
    /// <summary>Exchanges a user name and password for a session token; no session token is sent.</summary>
    Task<SignInResponse> SignInAsync(string userName, string password, CancellationToken cancellationToken);

    /// <summary>Returns who <paramref name="token"/> belongs to; UNAUTHENTICATED once it expired or was revoked.</summary>
    Task<Identity> WhoAmIAsync(string token, CancellationToken cancellationToken);

    /// <summary>Ends the session of <paramref name="token"/> on the compute server, so the token stops working.</summary>
    Task SignOutAsync(string token, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a dashboard password and ends that user's sessions: the signed-in user's own with
    /// <see cref="SetPasswordRequest.CurrentPassword"/>, or, for an admin, another user's.
    /// </summary>
    Task<SetPasswordResponse> SetPasswordAsync(SetPasswordRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken cancellationToken);

    Task<CreateUserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken);

    Task<User> RevokeUserAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(bool includeRevoked, CancellationToken cancellationToken);

    Task<CreateApiKeyResponse> CreateApiKeyAsync(string userName, string description, CancellationToken cancellationToken);

    Task<ApiKey> RevokeApiKeyAsync(string id, CancellationToken cancellationToken);

    Task<CreateApiKeyResponse> RotateApiKeyAsync(string id, CancellationToken cancellationToken);
}
