using MudBlazor;

namespace UnlearnDashboard.Web.Components.Layout;

/// <summary>The dashboard's MudBlazor theme.</summary>
public static class DashboardTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2E5C8A",
            AppbarBackground = "#2E5C8A",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7FB2E5",
            AppbarBackground = "#1E2A38",
        },
    };
}
