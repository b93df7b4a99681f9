using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.JSInterop;
using UnlearnDashboard.Web.Access;

namespace UnlearnDashboard.Web.Components.Layout;

/// <summary>
/// App bar with navigation, the signed-in user with their role and a sign-out button, and the light and dark
/// theme toggle, around every page. The browser's local storage remembers the theme. A page opened with
/// <c>?meeting=true</c> gets the full screen width and no link to editing pages, for a projector.
/// </summary>
public sealed partial class MainLayout : LayoutComponentBase, IDisposable
{
    /// <summary>Local storage key of the chosen theme, "dark" or "light".</summary>
    public const string ThemeStorageKey = "unlearn.theme";

    private bool _darkMode;
    private string? _userName;
    private string _role = "";

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    private bool Meeting { get; set; }

    protected override void OnInitialized()
    {
        Meeting = IsMeeting(Navigation.Uri);
        Navigation.LocationChanged += OnLocationChanged;
    }

    protected override async Task OnParametersSetAsync()
    {
        if (AuthenticationState is null)
            return;

        var user = (await AuthenticationState).User;
        _userName = user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
        _role = SessionClaims.RoleOf(user);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
            return;

        try
        {
            string? theme = await JS.InvokeAsync<string?>("localStorage.getItem", ThemeStorageKey);
            if (theme == "dark" && !_darkMode)
            {
                _darkMode = true;
                StateHasChanged();
            }
        }
        catch (JSException)
        {
            // Storage can be disabled in the browser; the light theme then stays.
        }
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;

    private void OnLocationChanged(object? sender, LocationChangedEventArgs args)
    {
        bool meeting = IsMeeting(args.Location);
        if (meeting != Meeting)
        {
            Meeting = meeting;
            InvokeAsync(StateHasChanged);
        }
    }

    private static bool IsMeeting(string uri)
    {
        var query = QueryHelpers.ParseQuery(new Uri(uri).Query);
        return query.TryGetValue("meeting", out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
    }

    private async Task ToggleTheme()
    {
        _darkMode = !_darkMode;
        try
        {
            await JS.InvokeVoidAsync("localStorage.setItem", ThemeStorageKey, _darkMode ? "dark" : "light");
        }
        catch (JSException)
        {
            // Storage can be disabled in the browser; the choice then lasts until the page reloads.
        }
    }
}
