using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UnlearnDashboard.Compute.Access;
using UnlearnDashboard.Compute.Storage;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

/// <summary>
/// Users, API keys and sessions through AccessService on a real server: the first start's users and keys, sign-in,
/// revocation and rotation, and the caller's identity as the actor of audit entries and counterfactual reviews.
/// </summary>
public abstract class AccessServiceTests(JobServerFixture server)
{
    private AccessService.AccessServiceClient Admin => server.AdminAccess;

    [Fact]
    public void FirstStart_WritesKeysOwnerOnly()
    {
        string path = Path.Combine(server.DataDirectory, CredentialsFile.FileName);

        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))!;

        Assert.Equal(["admin", "compliance", "engineer", "viewer"], secrets.Keys.Order());
        Assert.All(secrets.Values, secret => Assert.StartsWith(Secrets.ApiKeyPrefix, secret));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData("viewer", Role.Viewer)]
    [InlineData("engineer", Role.Engineer)]
    [InlineData("compliance", Role.Compliance)]
    [InlineData("admin", Role.Admin)]
    public async Task WhoAmI_FirstKey_IsUserOfRole(string role, Role expected)
    {
        var identity = await new AccessService.AccessServiceClient(server.ChannelAs(role)).WhoAmIAsync(new WhoAmIRequest());

        Assert.Equal(role, identity.UserName);
        Assert.Equal(expected, identity.Role);
        Assert.StartsWith(Secrets.ApiKeyPrefix, identity.ApiKeyId);
    }

    [Fact]
    public async Task FirstStart_SecretsStoredOnlyAsHashes()
    {
        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(
            File.ReadAllText(Path.Combine(server.DataDirectory, CredentialsFile.FileName)))!;
        await using var db = await CreateDbContextAsync();

        var keys = await db.ApiKeys.AsNoTracking().ToListAsync();
        var users = await db.Users.AsNoTracking().ToListAsync();

        Assert.All(secrets, pair => Assert.Contains(keys, k => k.UserName == pair.Key && k.SecretHash.SequenceEqual(Secrets.HashSecret(pair.Value))));
        Assert.DoesNotContain(keys, k => secrets.Values.Any(secret => System.Text.Encoding.UTF8.GetString(k.SecretHash).Contains(secret)));
        Assert.Equal(Secrets.PasswordIterations, users.Single(u => u.Name == "admin").PasswordIterations);
        Assert.All(users.Where(u => u.Name != "admin" && secrets.ContainsKey(u.Name)), u => Assert.Equal(0, u.PasswordIterations));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("unknown key")]
    [InlineData("unknown token")]
    [InlineData("not bearer")]
    public async Task Call_BadCredential_IsUnauthenticated(string credential)
    {
        var metadata = credential switch
        {
            "none" => new Metadata(),
            "unknown key" => new Metadata { { "authorization", "Bearer uk_000000000000_abcdefghijklmnopqrstuvwxyz" } },
            "unknown token" => new Metadata { { "authorization", "Bearer us_abcdefghijklmnopqrstuvwxyz" } },
            _ => new Metadata { { "authorization", "Basic dXNlcjpwYXNz" } },
        };
        var anonymous = new DatasetService.DatasetServiceClient(server.ChannelAs(null));

        var error = await RpcAssert.FailsAsync(() => anonymous.ListDatasetsAsync(new ListDatasetsRequest(), metadata).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task CreateKey_ActsAsItsUser()
    {
        var user = await Admin.CreateUserAsync(new CreateUserRequest { Name = "vera", Role = Role.Viewer });
        var key = await Admin.CreateApiKeyAsync(new CreateApiKeyRequest { UserName = "vera", Description = "laptop" });
        using var channel = ChannelWith(key.Secret);

        var identity = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());
        var listed = await Admin.ListApiKeysAsync(new ListApiKeysRequest { UserName = "vera" });

        Assert.Equal(Role.Viewer, user.User.Role);
        Assert.Equal(24, user.GeneratedPassword.Length);
        Assert.Equal("vera", identity.UserName);
        Assert.StartsWith(key.Key.Id + "_", key.Secret);
        Assert.Equal([key.Key.Id], listed.Keys.Select(k => k.Id));
        Assert.Equal("laptop", listed.Keys[0].Description);
        Assert.NotNull(listed.Keys[0].LastUsedAt);
    }

    [Fact]
    public async Task RevokeKey_KeyStopsWorking()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "rita", Role = Role.Engineer });
        var key = await Admin.CreateApiKeyAsync(new CreateApiKeyRequest { UserName = "rita" });
        using var channel = ChannelWith(key.Secret);
        var access = new AccessService.AccessServiceClient(channel);
        await access.WhoAmIAsync(new WhoAmIRequest());

        var revoked = await Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = key.Key.Id });
        var error = await RpcAssert.FailsAsync(() => access.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);

        Assert.NotNull(revoked.RevokedAt);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task RotateKey_OldFailsNewWorks()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "otto", Role = Role.Compliance });
        var old = await Admin.CreateApiKeyAsync(new CreateApiKeyRequest { UserName = "otto", Description = "ci" });

        var rotated = await Admin.RotateApiKeyAsync(new RotateApiKeyRequest { Id = old.Key.Id });
        using var oldChannel = ChannelWith(old.Secret);
        using var newChannel = ChannelWith(rotated.Secret);
        var error = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(oldChannel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var identity = await new AccessService.AccessServiceClient(newChannel).WhoAmIAsync(new WhoAmIRequest());
        var again = await RpcAssert.FailsAsync(() => Admin.RotateApiKeyAsync(new RotateApiKeyRequest { Id = old.Key.Id }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("otto", identity.UserName);
        Assert.Equal(rotated.Key.Id, identity.ApiKeyId);
        Assert.Equal("ci", rotated.Key.Description);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task RevokeUser_KeysAndSessionsStopWorking()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "ursula", Role = Role.Viewer, Password = "correct horse battery" });
        var key = await Admin.CreateApiKeyAsync(new CreateApiKeyRequest { UserName = "ursula" });
        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "ursula", Password = "correct horse battery" });
        using var keyChannel = ChannelWith(key.Secret);
        using var tokenChannel = ChannelWith(session.Token);

        await Admin.RevokeUserAsync(new RevokeUserRequest { Name = "ursula" });
        var keyError = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(keyChannel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var tokenError = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(tokenChannel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var signInError = await RpcAssert.FailsAsync(() =>
            Anonymous().SignInAsync(new SignInRequest { UserName = "ursula", Password = "correct horse battery" }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, keyError.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, tokenError.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, signInError.StatusCode);
    }

    [Fact]
    public async Task SignOut_Session_TokenStopsWorking()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "sofia", Role = Role.Viewer, Password = "correct horse battery" });
        var first = await Anonymous().SignInAsync(new SignInRequest { UserName = "sofia", Password = "correct horse battery" });
        var second = await Anonymous().SignInAsync(new SignInRequest { UserName = "sofia", Password = "correct horse battery" });
        using var firstChannel = ChannelWith(first.Token);
        using var secondChannel = ChannelWith(second.Token);

        await new AccessService.AccessServiceClient(firstChannel).SignOutAsync(new SignOutRequest());
        var ended = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(firstChannel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var other = await new AccessService.AccessServiceClient(secondChannel).WhoAmIAsync(new WhoAmIRequest());
        var logouts = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "logout", Actor = "sofia" });

        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Equal("sofia", other.UserName);
        Assert.Single(logouts.Entries);
        Assert.Contains("\"sessions_ended\":1", logouts.Entries[0].DetailsJson);
    }

    [Fact]
    public async Task SignOut_WithApiKey_IsFailedPrecondition()
    {
        var error = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(server.ChannelAs("viewer")).SignOutAsync(new SignOutRequest()).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["authorization"], RpcAssert.ViolatedFields(error));
        Assert.Contains("RevokeApiKey", error.Status.Detail);
    }

    [Fact]
    public async Task SetPassword_Own_ReplacesPasswordAndEndsSessions()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "noor", Role = Role.Viewer, Password = "the first passphrase" });
        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "noor", Password = "the first passphrase" });
        using var channel = ChannelWith(session.Token);

        var response = await new AccessService.AccessServiceClient(channel).SetPasswordAsync(new SetPasswordRequest
        {
            CurrentPassword = "the first passphrase",
            NewPassword = "the second passphrase",
        });
        var ended = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        var oldPassword = await RpcAssert.FailsAsync(() => Anonymous().SignInAsync(new SignInRequest { UserName = "noor", Password = "the first passphrase" }).ResponseAsync);
        var newSession = await Anonymous().SignInAsync(new SignInRequest { UserName = "noor", Password = "the second passphrase" });
        var entries = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "password.set", Actor = "noor" });

        Assert.Equal("noor", response.UserName);
        Assert.Empty(response.GeneratedPassword);
        Assert.Equal(1, response.SessionsEnded);
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, oldPassword.StatusCode);
        Assert.Equal("noor", newSession.Identity.UserName);
        Assert.Single(entries.Entries);
        Assert.Contains("\"generated\":false", entries.Entries[0].DetailsJson);
        Assert.DoesNotContain("passphrase", entries.Entries[0].DetailsJson);
    }

    [Fact]
    public async Task SetPassword_WrongCurrent_IsPermissionDenied()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "omar", Role = Role.Engineer, Password = "omar's passphrase" });
        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "omar", Password = "omar's passphrase" });
        using var channel = ChannelWith(session.Token);
        var client = new AccessService.AccessServiceClient(channel);

        var wrong = await RpcAssert.FailsAsync(() => client.SetPasswordAsync(new SetPasswordRequest
        {
            CurrentPassword = "not the passphrase",
            NewPassword = "a brand new passphrase",
        }).ResponseAsync);
        var missing = await RpcAssert.FailsAsync(() => client.SetPasswordAsync(new SetPasswordRequest { NewPassword = "a brand new passphrase" }).ResponseAsync);
        var identity = await client.WhoAmIAsync(new WhoAmIRequest());

        Assert.Equal(StatusCode.PermissionDenied, wrong.StatusCode);
        Assert.Equal(["current_password"], RpcAssert.ViolatedFields(wrong));
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Equal(["current_password"], RpcAssert.ViolatedFields(missing));
        Assert.Equal("omar", identity.UserName);
        Assert.Equal("omar", (await Anonymous().SignInAsync(new SignInRequest { UserName = "omar", Password = "omar's passphrase" })).Identity.UserName);
    }

    [Fact]
    public async Task SetPassword_RepeatedWrongCurrent_LocksName()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "ines", Role = Role.Viewer, Password = "ines's passphrase" });
        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "ines", Password = "ines's passphrase" });
        using var channel = ChannelWith(session.Token);
        var client = new AccessService.AccessServiceClient(channel);
        var guess = new SetPasswordRequest { CurrentPassword = "a wrong guess", NewPassword = "an attacker's passphrase" };

        var failures = new List<StatusCode>();
        for (int i = 0; i < 5; i++)
            failures.Add((await RpcAssert.FailsAsync(() => client.SetPasswordAsync(guess).ResponseAsync)).StatusCode);
        var locked = await RpcAssert.FailsAsync(() => client.SetPasswordAsync(new SetPasswordRequest
        {
            CurrentPassword = "ines's passphrase",
            NewPassword = "ines's next passphrase",
        }).ResponseAsync);

        Assert.All(failures, status => Assert.Equal(StatusCode.PermissionDenied, status));
        Assert.Equal(StatusCode.ResourceExhausted, locked.StatusCode);
        Assert.Contains("ines", locked.Status.Detail);
    }

    [Fact]
    public async Task SetPassword_OtherUserAsNonAdmin_IsPermissionDenied()
    {
        var viewer = new AccessService.AccessServiceClient(server.ChannelAs("viewer"));

        var error = await RpcAssert.FailsAsync(() => viewer.SetPasswordAsync(new SetPasswordRequest
        {
            UserName = "admin",
            CurrentPassword = "anything at all",
            NewPassword = "a takeover passphrase",
        }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(["user_name"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task SetPassword_AdminForOther_GeneratesPassword()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "Linnea", Role = Role.Compliance, Password = "the forgotten passphrase" });

        var response = await Admin.SetPasswordAsync(new SetPasswordRequest { UserName = "linnea" });
        var signedIn = await Anonymous().SignInAsync(new SignInRequest { UserName = "Linnea", Password = response.GeneratedPassword });
        var entries = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "password.set", Actor = "admin" });

        Assert.Equal("Linnea", response.UserName);
        Assert.True(response.GeneratedPassword.Length >= 12, $"generated password has {response.GeneratedPassword.Length} characters");
        Assert.Equal("Linnea", signedIn.Identity.UserName);
        Assert.Contains(entries.Entries, e => e.Subject.Contains("Linnea") && e.DetailsJson.Contains("\"generated\":true"));
    }

    [Fact]
    public async Task SetPassword_BadRequests_NameTheField()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "gone", Role = Role.Viewer, Password = "a passphrase for now" });
        await Admin.RevokeUserAsync(new RevokeUserRequest { Name = "gone" });

        var shortPassword = await RpcAssert.FailsAsync(() => Admin.SetPasswordAsync(new SetPasswordRequest { UserName = "viewer", NewPassword = "short" }).ResponseAsync);
        var unknown = await RpcAssert.FailsAsync(() => Admin.SetPasswordAsync(new SetPasswordRequest { UserName = "nobody-here" }).ResponseAsync);
        var revoked = await RpcAssert.FailsAsync(() => Admin.SetPasswordAsync(new SetPasswordRequest { UserName = "gone" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, shortPassword.StatusCode);
        Assert.Equal(["new_password"], RpcAssert.ViolatedFields(shortPassword));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nobody-here", unknown.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, revoked.StatusCode);
        Assert.Equal(["user_name"], RpcAssert.ViolatedFields(revoked));
    }

    [Fact]
    public async Task RevokeUser_Self_IsFailedPrecondition()
    {
        var error = await RpcAssert.FailsAsync(() => Admin.RevokeUserAsync(new RevokeUserRequest { Name = "admin" }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(["name"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task SignIn_RightPassword_TokenActsAsUser()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "sam", Role = Role.Compliance, Password = "a long passphrase" });

        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "sam", Password = "a long passphrase" });
        using var channel = ChannelWith(session.Token);
        var identity = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());

        Assert.StartsWith(Secrets.SessionTokenPrefix, session.Token);
        Assert.Equal("sam", identity.UserName);
        Assert.Equal(Role.Compliance, identity.Role);
        Assert.Empty(identity.ApiKeyId);
        Assert.InRange(session.ExpiresAt.ToDateTime(), DateTime.UtcNow.AddHours(7), DateTime.UtcNow.AddHours(9));
    }

    [Fact]
    public async Task SignIn_ExpiredToken_IsUnauthenticated()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "ezra", Role = Role.Viewer, Password = "a long passphrase" });
        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "ezra", Password = "a long passphrase" });
        await using var db = await CreateDbContextAsync();
        byte[] hash = Secrets.HashSecret(session.Token);

        await db.SessionTokens.Where(t => t.TokenHash == hash).ExecuteUpdateAsync(t => t.SetProperty(r => r.ExpiresAt, DateTime.UtcNow.AddSeconds(-1)));
        using var channel = ChannelWith(session.Token);
        var error = await RpcAssert.FailsAsync(() => new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [InlineData("admin", "wrong password 1")]
    [InlineData("nobody", "wrong password 2")]
    [InlineData("viewer", "wrong password 3")]
    public async Task SignIn_WrongCredentials_AuditsUserNameNotPassword(string userName, string password)
    {
        var error = await RpcAssert.FailsAsync(() => Anonymous().SignInAsync(new SignInRequest { UserName = userName, Password = password }).ResponseAsync);
        var entries = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "login.fail", Subject = $"user/{userName}" });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("user name or password is wrong", error.Status.Detail);
        Assert.Contains(entries.Entries, e => e.Actor == "anonymous" && e.DetailsJson.Contains(userName));
        Assert.DoesNotContain(entries.Entries, e => e.DetailsJson.Contains(password));
    }

    [Fact]
    public async Task SignIn_RepeatedFailures_LocksUserName()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "lena", Role = Role.Viewer, Password = "a long passphrase" });
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            var failed = await RpcAssert.FailsAsync(() =>
                Anonymous().SignInAsync(new SignInRequest { UserName = "lena", Password = $"wrong password {attempt}" }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, failed.StatusCode);
        }

        var locked = await RpcAssert.FailsAsync(() =>
            Anonymous().SignInAsync(new SignInRequest { UserName = "LENA", Password = "a long passphrase" }).ResponseAsync);
        var lockedAgain = await RpcAssert.FailsAsync(() =>
            Anonymous().SignInAsync(new SignInRequest { UserName = "LENA", Password = "wrong password 6" }).ResponseAsync);
        var retryDelay = locked.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan();
        var failures = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "login.fail", Subject = "user/lena" });
        var lockedEntries = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "login.fail", Subject = "user/LENA" });
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "lorenz", Role = Role.Viewer, Password = "a long passphrase" });
        var other = await Anonymous().SignInAsync(new SignInRequest { UserName = "lorenz", Password = "a long passphrase" });

        Assert.Equal(StatusCode.ResourceExhausted, locked.StatusCode);
        Assert.Contains("Sign-in for user 'LENA' is locked", locked.Status.Detail);
        Assert.Contains("5 failed sign-ins within 60 s (Access:SignInLockout)", locked.Status.Detail);
        Assert.Contains("Retry after", locked.Status.Detail);
        Assert.NotNull(retryDelay);
        Assert.InRange(retryDelay.Value, TimeSpan.FromSeconds(250), TimeSpan.FromSeconds(300));
        Assert.Equal(5, failures.Entries.Count);
        Assert.Equal(StatusCode.ResourceExhausted, lockedAgain.StatusCode);
        Assert.Single(lockedEntries.Entries);
        Assert.Contains("\"reason\":\"locked\"", lockedEntries.Entries[0].DetailsJson);
        Assert.StartsWith(Secrets.SessionTokenPrefix, other.Token);
    }

    [Fact]
    public async Task SignIn_NameInOtherCase_SignsInAsStoredName()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "Carla.Diaz", Role = Role.Engineer, Password = "a long passphrase" });

        var session = await Anonymous().SignInAsync(new SignInRequest { UserName = "carla.DIAZ", Password = "a long passphrase" });
        using var channel = ChannelWith(session.Token);
        var identity = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());
        var logins = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "login", Subject = "user/Carla.Diaz" });

        Assert.Equal("Carla.Diaz", session.Identity.UserName);
        Assert.Equal("Carla.Diaz", identity.UserName);
        Assert.Single(logins.Entries);
        Assert.Equal("Carla.Diaz", logins.Entries[0].Actor);
    }

    [Fact]
    public async Task SignIn_RetiredRole_IsPermissionDenied()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "dora", Role = Role.Viewer, Password = "a long passphrase" });
        await using var db = await CreateDbContextAsync();
        await db.Users.Where(u => u.Name == "dora").ExecuteUpdateAsync(u => u.SetProperty(r => r.Role, (int)Role.Dashboard));

        var error = await RpcAssert.FailsAsync(() =>
            Anonymous().SignInAsync(new SignInRequest { UserName = "dora", Password = "a long passphrase" }).ResponseAsync);
        var wrongPassword = await RpcAssert.FailsAsync(() =>
            Anonymous().SignInAsync(new SignInRequest { UserName = "dora", Password = "wrong password" }).ResponseAsync);
        int sessions = await db.SessionTokens.CountAsync(t => t.UserName == "dora");
        var failures = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "login.fail", Subject = "user/dora" });

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("retired role dashboard", error.Status.Detail);
        Assert.Contains("viewer, engineer, compliance or admin", error.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, wrongPassword.StatusCode);
        Assert.Equal(0, sessions);
        Assert.Contains(failures.Entries, e => e.DetailsJson.Contains("\"reason\":\"retired_role\""));
    }

    [Fact]
    public async Task SignIn_NamesDifferingInCase_NeedExactName()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "max", Role = Role.Viewer, Password = "a long passphrase" });
        await using var db = await CreateDbContextAsync();
        var lower = await db.Users.AsNoTracking().SingleAsync(u => u.Name == "max");
        db.Users.Add(new UserRow
        {
            Name = "MAX",
            Role = (int)Role.Engineer,
            PasswordHash = lower.PasswordHash,
            PasswordSalt = lower.PasswordSalt,
            PasswordIterations = lower.PasswordIterations,
            CreatedAt = lower.CreatedAt,
        });
        await db.SaveChangesAsync();

        var exact = await Anonymous().SignInAsync(new SignInRequest { UserName = "MAX", Password = "a long passphrase" });
        var ambiguous = await RpcAssert.FailsAsync(() =>
            Anonymous().SignInAsync(new SignInRequest { UserName = "Max", Password = "a long passphrase" }).ResponseAsync);

        Assert.Equal("MAX", exact.Identity.UserName);
        Assert.Equal(Role.Engineer, exact.Identity.Role);
        Assert.Equal(StatusCode.Unauthenticated, ambiguous.StatusCode);
    }

    [Theory]
    [InlineData("", Role.Viewer, "", "name")]
    [InlineData("has space", Role.Viewer, "", "name")]
    [InlineData("newuser", Role.Unspecified, "", "role")]
    [InlineData("newuser", Role.Dashboard, "", "role")]
    [InlineData("newuser", Role.Viewer, "short", "password")]
    public async Task CreateUser_InvalidRequest_NamesField(string name, Role role, string password, string field)
    {
        var error = await RpcAssert.FailsAsync(() =>
            Admin.CreateUserAsync(new CreateUserRequest { Name = name, Role = role, Password = password }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal([field], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task CreateUser_TakenName_AlreadyExists()
    {
        var error = await RpcAssert.FailsAsync(() => Admin.CreateUserAsync(new CreateUserRequest { Name = "Engineer", Role = Role.Viewer }).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Fact]
    public async Task Audit_ActorIsCaller()
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = "amy", Role = Role.Viewer });
        var job = await server.Jobs.TrainModelAsync(new TrainModelRequest { Dataset = "german-credit", Settings = new ModelSettings { Epochs = 1 } });
        await JobWatcher.WaitForEndAsync(server.Jobs, job.Id);

        var created = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = "user/amy" });
        var submitted = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"job/{job.Id}", Action = "job.submit" });

        Assert.Equal(["admin"], created.Entries.Select(e => e.Actor));
        Assert.Equal(["engineer"], submitted.Entries.Select(e => e.Actor));
    }

    [Fact]
    public async Task CounterfactualReview_RequesterAndReviewerAreCallers()
    {
        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(requestedBy: ""));

        var approved = await server.ComplianceCounterfactuals.ApproveCounterfactualSetAsync(new ReviewCounterfactualSetRequest { SetId = set.Id });
        var entries = await server.Audit.ListAuditEntriesAsync(new ListAuditEntriesRequest { Subject = $"counterfactual_set/{set.Id}" });

        Assert.Equal("engineer", set.RequestedBy);
        Assert.Equal("compliance", approved.ReviewedBy);
        Assert.Equal(["engineer", "compliance"], entries.Entries.Select(e => e.Actor));
    }

    [Fact]
    public async Task CounterfactualGenerate_NamingSomeoneElse_IsInvalidArgument()
    {
        var error = await RpcAssert.FailsAsync(() => server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(requestedBy: "mallory")).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["requested_by"], RpcAssert.ViolatedFields(error));
    }

    [Fact]
    public async Task CounterfactualApprove_ByEngineer_IsPermissionDenied()
    {
        var set = await server.Counterfactuals.GenerateCounterfactualSetAsync(GermanSetRequest(requestedBy: ""));

        var error = await RpcAssert.FailsAsync(() =>
            server.Counterfactuals.ApproveCounterfactualSetAsync(new ReviewCounterfactualSetRequest { SetId = set.Id }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("compliance", error.Status.Detail);
        Assert.DoesNotContain("dashboard", error.Status.Detail);
    }

    private AccessService.AccessServiceClient Anonymous() => new(server.ChannelAs(null));

    private Grpc.Net.Client.GrpcChannel ChannelWith(string secret) =>
        ComputeCredentials.CreateChannel(server.Url, secret);

    private static GenerateCounterfactualSetRequest GermanSetRequest(string requestedBy) => new()
    {
        Dataset = "german-credit",
        SensitiveValueMap = { ["A201"] = "A202", ["A202"] = "A201" },
        MaxRows = 30,
        Seed = 5,
        RequestedBy = requestedBy,
    };

    private async Task<ComputeDbContext> CreateDbContextAsync() =>
        await server.Services.GetRequiredService<IDbContextFactory<ComputeDbContext>>().CreateDbContextAsync();
}

public sealed class AccessServiceSqliteTests(JobServerFixture server) : AccessServiceTests(server), IClassFixture<JobServerFixture>;

public sealed class AccessServicePostgresTests(PostgresJobServerFixture server) : AccessServiceTests(server), IClassFixture<PostgresJobServerFixture>;
