namespace CrowdShield.Core.Events;

/// <summary>An occasion at a venue (a festival day, a match, a station) that users, zones and all data belong to.</summary>
public sealed class Event
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required double CenterLat { get; set; }
    public required double CenterLng { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The venue's clock (IANA id): what pages show and what the daily and weekly patterns follow.</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>How many people the venue's licence allows in at once; the total of the zones is held against it.</summary>
    public int? Capacity { get; set; }
    public List<Zones.Zone> Zones { get; init; } = [];
}
