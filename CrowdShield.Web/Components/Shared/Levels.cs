using CrowdShield.Core.Alerts;
using CrowdShield.Core.Map;
using MudBlazor;

namespace CrowdShield.Web.Components.Shared;

/// <summary>One palette for density levels and severities, the same on the map, chips and charts.</summary>
public static class Levels
{
    public static string Css(string level) => level switch
    {
        DensityBands.Critical => "#FF4D4F",
        DensityBands.High => "#FF7A45",
        DensityBands.Elevated => "#F5A623",
        DensityBands.Moderate => "#A3D977",
        _ => "#2ECC71",
    };

    public static Color Severity(string severity) => severity switch
    {
        AlertSeverity.Critical => Color.Error,
        AlertSeverity.Warning => Color.Warning,
        _ => Color.Info,
    };

    public static string RiskCss(int score) => score switch
    {
        >= 70 => "#FF4D4F",
        >= 45 => "#FF7A45",
        >= 25 => "#F5A623",
        _ => "#2ECC71",
    };

    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        return age.TotalSeconds < 60 ? "just now"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : at.ToLocalTime().ToString("HH:mm");
    }
}
