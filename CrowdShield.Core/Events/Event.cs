namespace CrowdShield.Core.Events;

/// <summary>A venue occurrence (a festival day, a match, a station) that users, zones and all data belong to.</summary>
public sealed class Event
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required double CenterLat { get; set; }
    public required double CenterLng { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public List<Zones.Zone> Zones { get; init; } = [];
}
