using Grpc.Core;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Tests.Fakes;

namespace UnlearnDashboard.Web.Tests.Access;

public sealed class SessionCheckTests
{
    private readonly FakeComputeAccess _access = new();

    [Fact]
    public async Task Session_AcceptedToken_IsValid()
    {
        var user = TestUsers.SignedIn("ann", Role.Viewer, "t-ann");

        bool valid = await SessionCheck.IsValidAsync(user, _access, TimeProvider.System, CancellationToken.None);

        Assert.True(valid);
        Assert.Equal(["t-ann"], _access.WhoAmITokens);
    }

    [Fact]
    public async Task Session_ExpiredToken_IsInvalidWithoutCall()
    {
        var user = TestUsers.SignedIn("ann", Role.Viewer, "t-ann", expiresAt: DateTimeOffset.UtcNow.AddSeconds(-1));

        bool valid = await SessionCheck.IsValidAsync(user, _access, TimeProvider.System, CancellationToken.None);

        Assert.False(valid);
        Assert.Empty(_access.WhoAmITokens);
    }

    [Fact]
    public async Task Session_RevokedToken_IsInvalid()
    {
        _access.WhoAmIError = FakeComputeAccess.Fail(StatusCode.Unauthenticated, "The session token was revoked.");
        var user = TestUsers.SignedIn("ann", Role.Viewer);

        bool valid = await SessionCheck.IsValidAsync(user, _access, TimeProvider.System, CancellationToken.None);

        Assert.False(valid);
    }

    [Fact]
    public async Task Session_ComputeUnreachable_StaysValid()
    {
        _access.WhoAmIError = FakeComputeAccess.Fail(StatusCode.Unavailable, "Connection refused.");
        var user = TestUsers.SignedIn("ann", Role.Viewer);

        bool valid = await SessionCheck.IsValidAsync(user, _access, TimeProvider.System, CancellationToken.None);

        Assert.True(valid);
    }

    [Fact]
    public async Task Session_Anonymous_IsInvalid()
    {
        var anonymous = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());

        bool valid = await SessionCheck.IsValidAsync(anonymous, _access, TimeProvider.System, CancellationToken.None);

        Assert.False(valid);
        Assert.Empty(_access.WhoAmITokens);
    }
}
