using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace UnlearnDashboard.Web.Components.Layout;

/// <summary>
/// App bar with navigation and the light and dark theme toggle, around every page. A page opened with
/// <c>?meeting=true</c> gets the full screen width and no link to editing pages, for a projector.
/// </summary>
public sealed partial class MainLayout : LayoutComponentBase, IDisposable
{
    private bool _darkMode;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private bool Meeting { get; set; }

    protected override void OnInitialized()
    {
        Meeting = IsMeeting(Navigation.Uri);
        Navigation.LocationChanged += OnLocationChanged;
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

    private void ToggleTheme() => _darkMode = !_darkMode;
}
