using CrowdShield.Core.Map;
using CrowdShield.Web.Components.Shared;
using MudBlazor;

namespace CrowdShield.Web.Components.Layout;

/// <summary>A dark palette for dim control rooms: low glare, with the alert colours kept saturated.</summary>
public static class CrowdShieldTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteDark = new PaletteDark
        {
            Primary = "#4FC3F7",
            Secondary = "#80CBC4",
            Background = "#0E1117",
            Surface = "#161B22",
            AppbarBackground = "#0B0E13",
            DrawerBackground = "#0B0E13",
            Success = Levels.Css(DensityBands.Low),
            Warning = Levels.Css(DensityBands.Elevated),
            Error = Levels.Css(DensityBands.Critical),
            Info = "#4FC3F7",
            // Dark text on the saturated alert colours: white on them is below WCAG AA (2.0–3.3 : 1).
            SuccessContrastText = "#0B0E13",
            WarningContrastText = "#0B0E13",
            ErrorContrastText = "#0B0E13",
            InfoContrastText = "#0B0E13",
            PrimaryContrastText = "#0B0E13",
        },
        Typography = new Typography
        {
            // No web fonts: events often have no internet, so the system font stack is used.
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"] },
        },
    };
}
