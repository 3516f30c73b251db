namespace CrowdShield.Core.Map;

/// <summary>A live ping on the map.</summary>
public sealed record MapPoint(double Lat, double Lng, double? Accuracy, string? DeviceId, DateTimeOffset RecordedAt);

/// <summary>One cell of the density grid: its centre and how many live pings it holds.</summary>
public sealed record DensityCell(double Lat, double Lng, int Count);

/// <summary>A zone's live occupancy: persons, persons per m² (when the area is known) and the level.</summary>
public sealed record ZoneDensity(string ZoneId, int Count, double? Density, string Level);

public sealed record MapSnapshot(
    string EventId,
    IReadOnlyList<MapPoint> Points,
    IReadOnlyList<DensityCell> Density,
    IReadOnlyList<ZoneDensity> Zones,
    DateTimeOffset UpdatedAt);
