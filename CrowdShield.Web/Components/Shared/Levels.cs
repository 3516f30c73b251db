using System.Globalization;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Map;
using MudBlazor;

namespace CrowdShield.Web.Components.Shared;

/// <summary>
/// One palette for density levels and severities, the same on the map, chips, charts and in the style sheet: the
/// colours are defined here only. The page's head turns them into CSS variables (<see cref="CssVariables"/>,
/// <c>var(--level-critical)</c> in app.css), the theme's error/warning/success take them, and the map's script
/// receives them when it is built.
/// </summary>
public static class Levels
{
    public static IReadOnlyDictionary<string, string> Palette { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DensityBands.Low] = "#2ECC71",
        [DensityBands.Moderate] = "#A3D977",
        [DensityBands.Elevated] = "#F5A623",
        [DensityBands.High] = "#FF7A45",
        [DensityBands.Critical] = "#FF4D4F",
    };

    /// <summary>The palette as CSS custom properties (<c>--level-low</c> … <c>--level-critical</c>) for the page's head.</summary>
    public static string CssVariables { get; } = ":root{" + string.Concat(Palette.Select(p => $"--level-{p.Key}:{p.Value};")) + "}";

    public static string Css(string level) => Palette.TryGetValue(level, out var colour) ? colour : Palette[DensityBands.Low];

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

    /// <summary>The colour of a 0–100 risk score: the level it falls in.</summary>
    public static string RiskCss(int score) => Css(score switch
    {
        >= 70 => DensityBands.Critical,
        >= 45 => DensityBands.High,
        >= 25 => DensityBands.Elevated,
        _ => DensityBands.Low,
    });

    /// <summary>How long ago, and past an hour the time on the venue's clock (<paramref name="venue"/>), not the server's.</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now, TimeZoneInfo? venue = null)
    {
        var age = now - at;
        return age.TotalSeconds < 60 ? "just now"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : VenueTime(at, venue);
    }

    /// <summary>A time on the venue's clock, e.g. 18:42.</summary>
    public static string VenueTime(DateTimeOffset at, TimeZoneInfo? venue) => TimeZoneInfo.ConvertTime(at, venue ?? TimeZoneInfo.Utc).ToString("HH:mm", CultureInfo.InvariantCulture);
}
