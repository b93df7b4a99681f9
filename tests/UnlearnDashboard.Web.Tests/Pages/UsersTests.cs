using Bunit;
using Google.Protobuf.WellKnownTypes;
using MudBlazor;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class UsersTests : DashboardTestContext
{
    public UsersTests()
    {
        SignInAs("admin", Role.Admin);
        var created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        Access.Users.Add(new User { Name = "admin", Role = Role.Admin, CreatedAt = created });
        Access.Users.Add(new User { Name = "erin", Role = Role.Engineer, CreatedAt = created });
        Access.Users.Add(new User { Name = "old", Role = Role.Viewer, CreatedAt = created, RevokedAt = created });
        Access.Keys.Add(new ApiKey { Id = "k-erin", UserName = "erin", Description = "CI", CreatedAt = created });
    }

    [Fact]
    public void Users_ListsUsersWithRoleAndStatus()
    {
        var page = RenderUsers();

        var erin = page.Find("[data-testid=users] tr[data-user=erin]");
        Assert.Contains("ML engineer", erin.TextContent);
        Assert.Contains("active", erin.TextContent);
        Assert.Contains("revoked 2026-12-01 09:00", page.Find("[data-testid=users] tr[data-user=old]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=users] tr[data-user=old] [data-testid=revoke-user]"));
    }

    [Fact]
    public void Users_CannotRevokeThemselves()
    {
        var page = RenderUsers();

        Assert.True(page.Find("tr[data-user=admin] [data-testid=revoke-user]").HasAttribute("disabled"));
        Assert.False(page.Find("tr[data-user=erin] [data-testid=revoke-user]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("", "", "Enter the new user's name.")]
    [InlineData("ann smith", "", "The name 'ann smith' may contain only letters, digits, '.', '-' and '_'.")]
    [InlineData("ERIN", "", "A user named 'ERIN' already exists.")]
    [InlineData("ann", "short", "The password has 5 characters; it needs at least 12, or leave it empty to have one generated.")]
    public void NewUser_Invalid_ExplainsAndSendsNothing(string name, string password, string message)
    {
        var page = RenderUsers();

        page.Find("[data-testid=new-user-name]").Input(name);
        page.Find("[data-testid=new-user-password]").Input(password);
        page.Find("[data-testid=create-user]").Click();

        page.WaitForAssertion(() => Assert.Contains(message, page.Find("[data-testid=new-user-errors]").TextContent));
        Assert.Empty(Access.CreatedUsers);
    }

    [Fact]
    public void NewUser_LongName_NamesTheLength()
    {
        var page = RenderUsers();

        page.Find("[data-testid=new-user-name]").Input(new string('a', 65));
        page.Find("[data-testid=create-user]").Click();

        page.WaitForAssertion(() => Assert.Equal("The name has 65 characters; at most 64 are allowed.",
            page.Find("[data-testid=new-user-errors]").TextContent.Trim()));
    }

    [Fact]
    public void NewUser_EmptyPassword_ShowsGeneratedOnce()
    {
        var page = RenderUsers();

        page.Find("[data-testid=new-user-name]").Input("ann");
        page.Find("[data-testid=create-user]").Click();

        page.WaitForAssertion(() => Assert.Equal("generated-password-1", page.Find("[data-testid=secret]").TextContent));
        var request = Assert.Single(Access.CreatedUsers);
        Assert.Equal("ann", request.Name);
        Assert.Equal(Role.Viewer, request.Role);
        Assert.Equal("", request.Password);
        Assert.NotNull(page.Find("[data-testid=users] tr[data-user=ann]"));
        Assert.Equal("", page.Find("[data-testid=new-user-name]").GetAttribute("value") ?? "");
    }

    [Fact]
    public void NewUser_ServerRejects_ShowsServerMessage()
    {
        Access.CreateUserError = Fakes.FakeComputeAccess.Fail(Grpc.Core.StatusCode.AlreadyExists, "A user named 'ann' exists already.");
        var page = RenderUsers();

        page.Find("[data-testid=new-user-name]").Input("ann");
        page.Find("[data-testid=create-user]").Click();

        page.WaitForAssertion(() => Assert.Contains("A user named 'ann' exists already.", SnackbarMessages));
        Assert.Empty(page.FindAll("[data-testid=secret]"));
    }

    [Fact]
    public void NewKey_WithoutUser_Explains()
    {
        var page = RenderUsers();

        page.Find("[data-testid=create-key]").Click();

        // The error may render after Click returns, so wait for it.
        page.WaitForAssertion(() => Assert.Equal("Choose the user the key acts for.", page.Find("[data-testid=new-key-errors]").TextContent.Trim()));
    }

    [Fact]
    public void NewKey_LongDescription_NamesTheLength()
    {
        var page = RenderUsers();

        page.Find("[data-testid=new-key-description]").Input(new string('d', 201));
        page.Find("[data-testid=create-key]").Click();

        page.WaitForAssertion(() => Assert.Contains("The description has 201 characters; at most 200 are allowed.",
            page.Find("[data-testid=new-key-errors]").TextContent));
    }

    [Fact]
    public void Keys_ListsWithoutSecrets()
    {
        var page = RenderUsers();

        var row = page.Find("[data-testid=keys] tr[data-key-id=k-erin]");
        Assert.Contains("CI", row.TextContent);
        Assert.Contains("never", row.TextContent);
        Assert.Empty(page.FindAll("[data-testid=secret]"));
    }

    [Fact]
    public void ResetPassword_Confirmed_ShowsGeneratedOnce()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = RenderUsers();

        Assert.True(page.Find("tr[data-user=admin] [data-testid=reset-password]").HasAttribute("disabled"));
        page.Find("tr[data-user=erin] [data-testid=reset-password]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Give erin a new generated password?", dialogs.Markup));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Reset").Click();

        page.WaitForAssertion(() => Assert.Equal("generated-password-2", page.Find("[data-testid=secret]").TextContent));
        Assert.Contains("The new password of erin.", page.Find("[data-testid=secret-panel]").TextContent);
        var request = Assert.Single(Access.PasswordChanges);
        Assert.Equal("erin", request.UserName);
        Assert.Empty(request.NewPassword);
    }

    private IRenderedComponent<Users> RenderUsers()
    {
        var page = Render<Users>();
        page.WaitForElement("[data-testid=users]");
        return page;
    }
}
