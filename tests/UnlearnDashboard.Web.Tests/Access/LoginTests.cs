using Bunit;
using Microsoft.AspNetCore.Http;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;

namespace UnlearnDashboard.Web.Tests.Access;

public sealed class LoginTests : DashboardTestContext
{
    public LoginTests()
    {
        SignOut();
        Access.Users.Add(new User { Name = "ann", Role = Role.Viewer });
        Access.Passwords["ann"] = "correct horse battery";
    }

    [Theory]
    [InlineData("ann", "wrong password")]
    [InlineData("nobody", "correct horse battery")]
    public void Login_WrongCredentials_ShowsServerMessageOnly(string userName, string password)
    {
        var page = RenderPosted();

        page.Find("[data-testid=user-name]").Change(userName);
        page.Find("[data-testid=password]").Change(password);
        page.Find("form").Submit();

        Assert.Equal("The user name or password is wrong.", page.Find("[data-testid=login-error]").TextContent.Trim());
        Assert.Equal("", page.Find("[data-testid=password]").GetAttribute("value") ?? "");
    }

    [Fact]
    public void Login_EmptyFields_ExplainsEach()
    {
        var page = RenderPosted();

        page.Find("form").Submit();

        Assert.Contains("Enter your user name.", page.Markup);
        Assert.Contains("Enter your password.", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=login-error]"));
    }

    [Theory]
    [InlineData("/jobs/j1?x=1", "/jobs/j1?x=1")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("/login?returnUrl=/", "/")]
    public void SafeReturnUrl_FollowsOnlyLocalPaths(string? returnUrl, string expected)
    {
        Assert.Equal(expected, Login.SafeReturnUrl(returnUrl));
    }

    private IRenderedComponent<Login> RenderPosted()
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = HttpMethods.Post;
        return Render<Login>(parameters => parameters.AddCascadingValue(context));
    }
}
