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

    /// <summary>The level in words: shown next to its colour, so it is never told by colour alone.</summary>
    public static string Label(string level) => level switch
    {
        DensityBands.Critical => "critical",
        DensityBands.High => "high",
        DensityBands.Elevated => "elevated",
        DensityBands.Moderate => "moderate",
        _ => "low",
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

    /// <summary>How long ago, and past an hour the time on the venue's clock (<paramref name="venue"/>), not the server's.</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now, TimeZoneInfo? venue = null)
    {
        var age = now - at;
        return age.TotalSeconds < 60 ? "just now"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : VenueTime(at, venue);
    }

    /// <summary>A time on the venue's clock, e.g. 18:42.</summary>
    public static string VenueTime(DateTimeOffset at, TimeZoneInfo? venue) => TimeZoneInfo.ConvertTime(at, venue ?? TimeZoneInfo.Utc).ToString("HH:mm");
}
