using Microsoft.AspNetCore.Components;

namespace UnlearnDashboard.Web.Components.Layout;

/// <summary>App bar with navigation and the light and dark theme toggle, around every page.</summary>
public sealed partial class MainLayout : LayoutComponentBase
{
    private bool _darkMode;

    private void ToggleTheme() => _darkMode = !_darkMode;
}
