using CrowdShield.Core.Map;

namespace CrowdShield.Core.Zones;

/// <summary>A named area of an event with its own capacity and alert threshold.</summary>
public sealed class Zone
{
    /// <summary>The seed's fixed threshold, kept as the default for zones that do not set their own.</summary>
    public const int DefaultAlertThreshold = 30;

    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string Name { get; set; }
    public List<GeoPoint> Polygon { get; set; } = [];
    public double? AreaM2 { get; set; }
    public int? Capacity { get; set; }
    public int AlertThreshold { get; set; } = DefaultAlertThreshold;
    /// <summary>Total width in metres of the zone's counted entrances: turns inflow into persons per metre per minute.</summary>
    public double? GateWidthM { get; set; }
}
