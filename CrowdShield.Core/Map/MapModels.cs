namespace CrowdShield.Core.Map;

/// <summary>A live ping on the map.</summary>
public sealed record MapPoint(double Lat, double Lng, double? Accuracy, string? DeviceId, DateTimeOffset RecordedAt);

/// <summary>One cell of the density grid: its centre and how many live pings it holds.</summary>
public sealed record DensityCell(double Lat, double Lng, int Count);

/// <summary>
/// A zone's live picture: persons (<see cref="Count"/>, from its freshest source, named in <see cref="Source"/>),
/// persons per m² when the area is known, the level, and what counters, capacity and gate width add to it.
/// </summary>
public sealed record ZoneDensity(string ZoneId, int Count, double? Density, string Level)
{
    /// <summary>Entries minus exits from the zone's people counters (never below 0); null without counters.</summary>
    public int? Occupancy { get; init; }
    /// <summary>Persons per minute in and out through the zone's counters over the last 5 minutes.</summary>
    public double? InflowPerMin { get; init; }
    public double? OutflowPerMin { get; init; }
    /// <summary>Inflow per metre of the zone's counted gate width, and its Fruin level of service (A–F).</summary>
    public double? FlowPerMetre { get; init; }
    public string? FlowLevel { get; init; }
    public int? Capacity { get; init; }
    /// <summary><see cref="Count"/> / <see cref="Capacity"/>.</summary>
    public double? Usage { get; init; }
    /// <summary>What <see cref="Count"/> came from: <see cref="CountSources"/>.</summary>
    public string Source { get; init; } = CountSources.Pings;
}

public static class CountSources
{
    /// <summary>Cameras' latest fresh counts, summed over the zone's cameras.</summary>
    public const string Camera = "camera";
    /// <summary>The occupancy from line-crossing counters.</summary>
    public const string Crossings = "crossings";
    /// <summary>Live phone pings inside the zone: a sample (people who carry a pinging phone), used when nothing counts.</summary>
    public const string Pings = "pings";
}

/// <summary>What a <c>map:update</c>'s <c>source</c> says brought it: the kinds of input joined by '+', or a snapshot.</summary>
public static class MapSources
{
    public const string Pings = "pings";
    public const string Cameras = "cctv";
    public const string Crossings = "crossings";
    /// <summary>The whole picture after the map was rebuilt from the database: its points replace a client's.</summary>
    public const string Snapshot = "snapshot";
}

/// <summary>A steward's last position: a separate layer, never part of the crowd.</summary>
public sealed record StaffPosition(string UserId, string Name, double Lat, double Lng, DateTimeOffset At, IReadOnlyList<string> ZoneIds)
{
    /// <summary>Zones within <see cref="NearMetres"/> of the steward that do not hold them.</summary>
    public IReadOnlyList<string> NearZoneIds { get; init; } = [];

    public const double NearMetres = 30;
}

/// <summary>The whole venue against its licence: persons in the zones that lie inside no other zone.</summary>
public sealed record VenueTotal(int Count, int? Capacity, double? Usage);

/// <summary>A people counter's flows over the last 5 minutes.</summary>
public sealed record CounterFlow(string CounterId, string ZoneId, double InflowPerMin, double OutflowPerMin, DateTimeOffset LastSeen);

public sealed record MapSnapshot(
    string EventId,
    IReadOnlyList<MapPoint> Points,
    IReadOnlyList<DensityCell> Density,
    IReadOnlyList<ZoneDensity> Zones,
    DateTimeOffset UpdatedAt)
{
    public IReadOnlyList<StaffPosition> Staff { get; init; } = [];
    public VenueTotal? Venue { get; init; }
}

/// <summary>Fruin's levels of service for walkways, by flow in persons per metre per minute.</summary>
public static class FlowLevels
{
    public static string Of(double personsPerMetrePerMinute) => personsPerMetrePerMinute switch
    {
        <= 23 => "A",
        <= 33 => "B",
        <= 49 => "C",
        <= 66 => "D",
        <= 82 => "E",
        _ => "F",
    };
}
