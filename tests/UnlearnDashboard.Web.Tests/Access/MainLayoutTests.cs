using Bunit;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Layout;

namespace UnlearnDashboard.Web.Tests.Access;

public sealed class MainLayoutTests() : DashboardTestContext(renderPopoverProvider: false)
{
    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Engineer, "ML engineer")]
    [InlineData(Role.Compliance, "compliance officer")]
    [InlineData(Role.Admin, "admin")]
    public void AppBar_ShowsUserRoleAndSignOut(Role role, string roleText)
    {
        SignInAs("ann", role);

        var layout = Render<MainLayout>();

        Assert.Equal("ann", layout.Find("[data-testid=signed-in-user]").TextContent);
        Assert.Equal(roleText, layout.Find("[data-testid=signed-in-role]").TextContent.Trim());
        Assert.Equal("/sign-out", layout.Find("[data-testid=sign-out]").GetAttribute("href"));
    }

    [Theory]
    [InlineData(Role.Viewer, false)]
    [InlineData(Role.Engineer, false)]
    [InlineData(Role.Compliance, false)]
    [InlineData(Role.Admin, true)]
    public void AppBar_LinksUsersPageForAdminOnly(Role role, bool shown)
    {
        SignInAs("ann", role);

        var layout = Render<MainLayout>();

        Assert.Equal(shown, layout.FindAll("[data-testid=nav-users]").Count == 1);
    }

    [Fact]
    public void ThemeToggle_RemembersChoice()
    {
        var layout = Render<MainLayout>();

        layout.Find("[data-testid=theme-toggle]").Click();

        var stored = JSInterop.Invocations["localStorage.setItem"].Last();
        Assert.Equal([MainLayout.ThemeStorageKey, "dark"], stored.Arguments);
    }

    [Fact]
    public void Theme_StoredDark_StartsDark()
    {
        JSInterop.Setup<string?>("localStorage.getItem", MainLayout.ThemeStorageKey).SetResult("dark");

        var layout = Render<MainLayout>();

        layout.WaitForAssertion(() => Assert.Equal("true", layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-pressed")));
    }
}
