using Grpc.Core;
using Microsoft.Extensions.Options;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Compute;

/// <summary>Calls the compute server's AccessService.</summary>
public sealed class ComputeAccess(
    AccessService.AccessServiceClient access,
    IOptions<ComputeClientOptions> options,
    ILogger<ComputeAccess> logger) : IComputeAccess
{
    public Task<SignInResponse> SignInAsync(string userName, string password, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.SignInAsync(new SignInRequest { UserName = userName, Password = password }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The sign-in", cancellationToken);

    public Task<Identity> WhoAmIAsync(string token, CancellationToken cancellationToken)
    {
        var headers = new Metadata { { SessionTokenInterceptor.Header, SessionTokenInterceptor.BearerValue(token) } };
        return CallAsync(
            deadline => access.WhoAmIAsync(new WhoAmIRequest(), headers, deadline, cancellationToken).ResponseAsync,
            "The session check", cancellationToken);
    }

    public Task SignOutAsync(string token, CancellationToken cancellationToken)
    {
        var headers = new Metadata { { SessionTokenInterceptor.Header, SessionTokenInterceptor.BearerValue(token) } };
        return CallAsync(
            deadline => access.SignOutAsync(new SignOutRequest(), headers, deadline, cancellationToken).ResponseAsync,
            "The sign-out", cancellationToken);
    }

    public Task<SetPasswordResponse> SetPasswordAsync(SetPasswordRequest request, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.SetPasswordAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The password change", cancellationToken);

    public async Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            deadline => access.ListUsersAsync(new ListUsersRequest(), deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The user list request", cancellationToken);
        return response.Users;
    }

    public Task<CreateUserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.CreateUserAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The new user request", cancellationToken);

    public Task<User> RevokeUserAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.RevokeUserAsync(new RevokeUserRequest { Name = name }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The revocation", cancellationToken);

    public async Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(bool includeRevoked, CancellationToken cancellationToken)
    {
        var request = new ListApiKeysRequest { IncludeRevoked = includeRevoked };
        var response = await CallAsync(
            deadline => access.ListApiKeysAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The API key list request", cancellationToken);
        return response.Keys;
    }

    public Task<CreateApiKeyResponse> CreateApiKeyAsync(string userName, string description, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.CreateApiKeyAsync(new CreateApiKeyRequest { UserName = userName, Description = description }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The new API key request", cancellationToken);

    public Task<ApiKey> RevokeApiKeyAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = id }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The API key revocation", cancellationToken);

    public Task<CreateApiKeyResponse> RotateApiKeyAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(
            deadline => access.RotateApiKeyAsync(new RotateApiKeyRequest { Id = id }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            "The API key rotation", cancellationToken);

    private Task<T> CallAsync<T>(Func<DateTime, Task<T>> call, string what, CancellationToken cancellationToken) =>
        ComputeCall.RunAsync(call, options.Value, logger, what, cancellationToken);
}
