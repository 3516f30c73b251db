namespace CrowdShield.Core.Map;

/// <summary>
/// Crowd density levels in persons per m², after Fruin's levels of service and the UK Guide to Safety at
/// Sports Grounds ("Green Guide"): flow degrades from about 2 p/m², 3.5 p/m² is high, and from 4–5 p/m²
/// crowds become dangerous (crushing risk). Set in configuration as Map:Bands, and per venue as Map:BandsByEvent:{eventId}.
/// </summary>
public sealed record DensityBands
{
    public const string Low = "low";
    public const string Moderate = "moderate";
    public const string Elevated = "elevated";
    public const string High = "high";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> Levels = [Low, Moderate, Elevated, High, Critical];

    /// <summary>Lower bound (p/m²) of "moderate": people start to adjust their pace.</summary>
    public double ModerateFrom { get; init; } = 1.0;
    /// <summary>Lower bound of "elevated": free flow is lost (Fruin LoS D/E).</summary>
    public double ElevatedFrom { get; init; } = 2.0;
    /// <summary>Lower bound of "high": Green Guide's upper limit for standing areas is near here.</summary>
    public double HighFrom { get; init; } = 3.5;
    /// <summary>Lower bound of "critical": 4–5 p/m² is where crowd crushes become possible.</summary>
    public double CriticalFrom { get; init; } = 4.5;

    public string LevelOf(double personsPerM2) => personsPerM2 switch
    {
        _ when personsPerM2 >= CriticalFrom => Critical,
        _ when personsPerM2 >= HighFrom => High,
        _ when personsPerM2 >= ElevatedFrom => Elevated,
        _ when personsPerM2 >= ModerateFrom => Moderate,
        _ => Low,
    };

    /// <summary>
    /// A count this many times a zone's alert threshold is critical: its load level, full risk, and (by default,
    /// Alerts:CriticalFactor) where its alert turns critical. The one place for the number.
    /// </summary>
    public const double CriticalLoad = 1.5;

    /// <summary>For zones without an area: the level from the count against the zone's alert threshold.</summary>
    public static string LevelOfLoad(double countOverThreshold) => countOverThreshold switch
    {
        >= CriticalLoad => Critical,
        > 1.0 => High,
        >= 0.8 => Elevated,
        >= 0.5 => Moderate,
        _ => Low,
    };

    public static int Rank(string level) => level switch
    {
        Critical => 4,
        High => 3,
        Elevated => 2,
        Moderate => 1,
        _ => 0,
    };
}
