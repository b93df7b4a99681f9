using Bunit;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages.Account;

namespace UnlearnDashboard.Web.Tests.Pages.Account;

public sealed class ChangePasswordTests : DashboardTestContext
{
    public ChangePasswordTests()
    {
        SignInAs("vera", Role.Viewer);
        Access.SignedInUser = "vera";
        Access.Passwords["vera"] = "vera's old passphrase";
    }

    [Theory]
    [InlineData("", "a new passphrase", "a new passphrase", "Enter your current password.")]
    [InlineData("vera's old passphrase", "too short", "too short", "The new password has 9 characters; it needs at least 12.")]
    [InlineData("vera's old passphrase", "a new passphrase", "a new passphrasf", "The two new passwords differ.")]
    public void Change_Invalid_ExplainsAndSendsNothing(string current, string next, string confirmation, string message)
    {
        var page = Render<ChangePassword>();

        Fill(page, current, next, confirmation);
        page.Find("[data-testid=change-password]").Click();

        Assert.Contains(message, page.Markup);
        Assert.Empty(Access.PasswordChanges);
    }

    [Fact]
    public void Change_Valid_SendsOwnChangeAndSaysToSignInAgain()
    {
        var page = Render<ChangePassword>();

        Fill(page, "vera's old passphrase", "vera's new passphrase", "vera's new passphrase");
        page.Find("[data-testid=change-password]").Click();

        page.WaitForElement("[data-testid=password-changed]");
        var request = Assert.Single(Access.PasswordChanges);
        Assert.Empty(request.UserName);
        Assert.Equal("vera's old passphrase", request.CurrentPassword);
        Assert.Equal("vera's new passphrase", request.NewPassword);
        Assert.Equal("/sign-out", page.Find("[data-testid=sign-in-again]").GetAttribute("href"));
    }

    [Fact]
    public void Change_WrongCurrent_ShowsServerMessage()
    {
        var page = Render<ChangePassword>();

        Fill(page, "not my passphrase", "vera's new passphrase", "vera's new passphrase");
        page.Find("[data-testid=change-password]").Click();

        page.WaitForAssertion(() => Assert.Contains("current_password is wrong", page.Find("[data-testid=password-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=password-changed]"));
        Assert.Equal("vera's old passphrase", Access.Passwords["vera"]);
    }

    private static void Fill(IRenderedComponent<ChangePassword> page, string current, string next, string confirmation)
    {
        page.Find("[data-testid=current-password]").Input(current);
        page.Find("[data-testid=new-password]").Input(next);
        page.Find("[data-testid=confirm-password]").Input(confirmation);
    }
}
