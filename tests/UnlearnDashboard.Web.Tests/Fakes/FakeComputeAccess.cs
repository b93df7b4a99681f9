using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Tests.Fakes;

/// <summary>Keeps users and API keys in lists and signs in users from a table of passwords, answering as the compute server would.</summary>
public sealed class FakeComputeAccess : IComputeAccess
{
    private int _nextKey = 1;

    public List<User> Users { get; } = [];

    public List<ApiKey> Keys { get; } = [];

    /// <summary>Password by user name, for SignIn.</summary>
    public Dictionary<string, string> Passwords { get; } = [];

    public List<CreateUserRequest> CreatedUsers { get; } = [];

    /// <summary>When set, the next CreateUser call fails with it.</summary>
    public ComputeUnavailableException? CreateUserError { get; set; }

    public Task<SignInResponse> SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var user = Users.FirstOrDefault(u => u.Name == userName && u.RevokedAt is null);
        if (user is null || !Passwords.TryGetValue(userName, out string? expected) || expected != password)
            throw Fail(StatusCode.Unauthenticated, "The user name or password is wrong.");

        return Task.FromResult(new SignInResponse
        {
            Token = "token-" + userName,
            ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(8)),
            Identity = new Identity { UserName = userName, Role = user.Role },
        });
    }

    /// <summary>When set, WhoAmI fails with it.</summary>
    public ComputeUnavailableException? WhoAmIError { get; set; }

    /// <summary>The tokens WhoAmI was asked about, in order.</summary>
    public List<string> WhoAmITokens { get; } = [];

    public List<string> SignedOutTokens { get; } = [];

    public Task SignOutAsync(string token, CancellationToken cancellationToken)
    {
        SignedOutTokens.Add(token);
        return Task.CompletedTask;
    }

    public Task<Identity> WhoAmIAsync(string token, CancellationToken cancellationToken)
    {
        WhoAmITokens.Add(token);
        return WhoAmIError is { } error
            ? Task.FromException<Identity>(error)
            : Task.FromResult(new Identity { UserName = token.Replace("token-", "", StringComparison.Ordinal) });
    }

    /// <summary>Every SetPassword request, in order.</summary>
    public List<SetPasswordRequest> PasswordChanges { get; } = [];

    /// <summary>User whose session token the fake's calls carry, as the signed-in circuit's would.</summary>
    public string SignedInUser { get; set; } = "admin";

    public Task<SetPasswordResponse> SetPasswordAsync(SetPasswordRequest request, CancellationToken cancellationToken)
    {
        PasswordChanges.Add(request);
        string userName = request.UserName.Length == 0 ? SignedInUser : request.UserName;
        if (request.UserName.Length == 0 && (!Passwords.TryGetValue(userName, out string? current) || current != request.CurrentPassword))
            throw Fail(StatusCode.PermissionDenied, "current_password is wrong; the password was not changed.");

        string password = request.NewPassword.Length == 0 ? "generated-password-2" : request.NewPassword;
        Passwords[userName] = password;
        return Task.FromResult(new SetPasswordResponse
        {
            UserName = userName,
            GeneratedPassword = request.NewPassword.Length == 0 ? password : "",
            SessionsEnded = 1,
        });
    }

    public Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<User>>(Users.ToList());

    public Task<CreateUserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken)
    {
        CreatedUsers.Add(request);
        if (CreateUserError is { } error)
        {
            CreateUserError = null;
            throw error;
        }

        var user = new User { Name = request.Name, Role = request.Role, CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        Users.Add(user);
        return Task.FromResult(new CreateUserResponse { User = user, GeneratedPassword = request.Password.Length == 0 ? "generated-password-1" : "" });
    }

    public Task<User> RevokeUserAsync(string name, CancellationToken cancellationToken)
    {
        var user = Users.Single(u => u.Name == name);
        user.RevokedAt = Timestamp.FromDateTime(DateTime.UtcNow);
        return Task.FromResult(user);
    }

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(bool includeRevoked, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ApiKey>>(Keys.Where(k => includeRevoked || k.RevokedAt is null).ToList());

    public Task<CreateApiKeyResponse> CreateApiKeyAsync(string userName, string description, CancellationToken cancellationToken)
    {
        var key = new ApiKey { Id = $"key{_nextKey++}", UserName = userName, Description = description, CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        Keys.Add(key);
        return Task.FromResult(new CreateApiKeyResponse { Key = key, Secret = key.Id + ".secret" });
    }

    public Task<ApiKey> RevokeApiKeyAsync(string id, CancellationToken cancellationToken)
    {
        var key = Keys.Single(k => k.Id == id);
        key.RevokedAt = Timestamp.FromDateTime(DateTime.UtcNow);
        return Task.FromResult(key);
    }

    public async Task<CreateApiKeyResponse> RotateApiKeyAsync(string id, CancellationToken cancellationToken)
    {
        var old = await RevokeApiKeyAsync(id, cancellationToken);
        return await CreateApiKeyAsync(old.UserName, old.Description, cancellationToken);
    }

    public static ComputeUnavailableException Fail(StatusCode status, string message) =>
        new(message, new RpcException(new Status(status, message)));
}
