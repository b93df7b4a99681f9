using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Services;

/// <summary>Signs users in and manages users and API keys; <see cref="AuthInterceptor"/> has checked the caller's role.</summary>
public sealed class AccessGrpcService(AccessStore store) : AccessService.AccessServiceBase
{
    public override async Task<SignInResponse> SignIn(SignInRequest request, ServerCallContext context)
    {
        var (token, expiresAt, identity) = await store.SignInAsync(request.UserName, request.Password, context.CancellationToken);
        return new SignInResponse { Token = token, ExpiresAt = Timestamp.FromDateTime(expiresAt), Identity = identity.ToProto() };
    }

    public override Task<Identity> WhoAmI(WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(context.Caller().ToProto());

    public override async Task<SignOutResponse> SignOut(SignOutRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (caller.ApiKeyId is not null)
        {
            throw RpcErrors.FailedPrecondition("authorization",
                $"This call is authenticated with API key {caller.ApiKeyId}, not a session token, so there is no session to end. Revoke a key with RevokeApiKey.");
        }

        // The interceptor authenticated the call with this token, so it is present.
        string token = AuthInterceptor.BearerSecret(context)!;
        await store.EndSessionAsync(caller, token, context.CancellationToken);
        return new SignOutResponse();
    }

    public override async Task<SetPasswordResponse> SetPassword(SetPasswordRequest request, ServerCallContext context)
    {
        var (userName, generated, sessionsEnded) = await store.SetPasswordAsync(context.Caller(), request.UserName, request.CurrentPassword,
            request.NewPassword, context.CancellationToken);
        return new SetPasswordResponse { UserName = userName, GeneratedPassword = generated ?? "", SessionsEnded = sessionsEnded };
    }

    public override async Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        var (user, generated) = await store.CreateUserAsync(context.Caller().UserName, request.Name, request.Role, request.Password,
            context.CancellationToken);
        return new CreateUserResponse { User = ToProto(user), GeneratedPassword = generated ?? "" };
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        var users = await store.ListUsersAsync(context.CancellationToken);
        return new ListUsersResponse { Users = { users.Select(ToProto) } };
    }

    public override async Task<User> RevokeUser(RevokeUserRequest request, ServerCallContext context) =>
        ToProto(await store.RevokeUserAsync(context.Caller().UserName, request.Name, context.CancellationToken));

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var (key, secret) = await store.CreateApiKeyAsync(context.Caller().UserName, request.UserName, request.Description,
            context.CancellationToken);
        return new CreateApiKeyResponse { Key = ToProto(key), Secret = secret };
    }

    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var keys = await store.ListApiKeysAsync(request.UserName, request.IncludeRevoked, context.CancellationToken);
        return new ListApiKeysResponse { Keys = { keys.Select(ToProto) } };
    }

    public override async Task<ApiKey> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context) =>
        ToProto(await store.RevokeApiKeyAsync(context.Caller().UserName, request.Id, context.CancellationToken));

    public override async Task<CreateApiKeyResponse> RotateApiKey(RotateApiKeyRequest request, ServerCallContext context)
    {
        var (key, secret) = await store.RotateApiKeyAsync(context.Caller().UserName, request.Id, context.CancellationToken);
        return new CreateApiKeyResponse { Key = ToProto(key), Secret = secret };
    }

    private static User ToProto(UserRow row)
    {
        var user = new User { Name = row.Name, Role = (Role)row.Role, CreatedAt = Time(row.CreatedAt) };
        if (row.RevokedAt is { } revoked)
            user.RevokedAt = Time(revoked);
        return user;
    }

    private static ApiKey ToProto(ApiKeyRow row)
    {
        var key = new ApiKey { Id = row.Id, UserName = row.UserName, Description = row.Description, CreatedAt = Time(row.CreatedAt) };
        if (row.RevokedAt is { } revoked)
            key.RevokedAt = Time(revoked);
        if (row.LastUsedAt is { } lastUsed)
            key.LastUsedAt = Time(lastUsed);
        return key;
    }

    private static Timestamp Time(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}
