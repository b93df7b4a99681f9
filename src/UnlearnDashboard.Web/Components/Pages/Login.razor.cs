using System.ComponentModel.DataAnnotations;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using UnlearnDashboard.Web.Access;
using UnlearnDashboard.Web.Compute;

namespace UnlearnDashboard.Web.Components.Pages;

/// <summary>
/// The sign-in form, rendered statically: it exchanges a user name and password for the compute server's
/// session token and stores the token with the user's name and role in the authentication cookie.
/// </summary>
public sealed partial class Login : ComponentBase
{
    private string? _error;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    private IComputeAccess Access { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    // The fields' names start with "Form.", after the property the markup binds to.
    [SupplyParameterFromForm(FormName = "login", Name = nameof(Form))]
    private LoginInput? Input { get; set; }

    /// <summary>The posted form, or an empty one on a GET.</summary>
    private LoginInput Form => Input ??= new LoginInput();

    /// <summary>Page to open after signing in, from the query string; the form carries it on in a hidden field.</summary>
    [SupplyParameterFromQuery(Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Form.ReturnUrl ??= ReturnUrl;


        // Opening the page ends any session in this browser, so an expired or revoked cookie is gone before
        // the next sign-in, and a signed-in user can sign in as someone else.
        if (HttpMethods.IsGet(HttpContext.Request.Method) && HttpContext.User.Identity?.IsAuthenticated == true)
            await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private async Task SignInAsync()
    {
        try
        {
            var response = await Access.SignInAsync(Form.UserName.Trim(), Form.Password, HttpContext.RequestAborted);
            var principal = SessionClaims.CreatePrincipal(response, CookieAuthenticationDefaults.AuthenticationScheme);
            var properties = new AuthenticationProperties { ExpiresUtc = response.ExpiresAt.ToDateTimeOffset() };
            await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, properties);
            Navigation.NavigateTo(SafeReturnUrl(Form.ReturnUrl));
        }
        catch (ComputeUnavailableException exception) when (exception.StatusCode == StatusCode.Unauthenticated)
        {
            Form.Password = "";
            // The server's message names neither the user name nor the password as the wrong part.
            _error = exception.Message;
        }
        catch (ComputeUnavailableException exception)
        {
            Form.Password = "";
            _error = $"Signing in failed: {exception.Message}";
        }
    }

    /// <summary>Returns <paramref name="returnUrl"/> when it is a path within the dashboard, otherwise "/".</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.StartsWith(AccessExtensions.LoginPath, StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : "/";

    private sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your user name.")]
        public string UserName { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        public string Password { get; set; } = "";

        /// <summary>Page to open after signing in; only paths within the dashboard are followed.</summary>
        public string? ReturnUrl { get; set; }
    }
}
