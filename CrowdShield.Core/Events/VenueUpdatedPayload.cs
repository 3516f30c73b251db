using CrowdShield.Core.Map;

namespace CrowdShield.Core.Events;

// The payload of venue:updated, published by this feature. The message bus adds eventId and seq on the
// wire and in the feed, so no payload declares them.

/// <summary>A zone as <c>venue:updated</c> carries it (the same fields as the REST zone).</summary>
public sealed record ZonePayload(
    string Id, string Name, IReadOnlyList<GeoPoint> Polygon, double? AreaM2, int? Capacity, int AlertThreshold, double? GateWidthM);

public sealed record VenueUpdatedPayload(IReadOnlyList<ZonePayload> Zones, string Name, string TimeZone, int? Capacity)
{
    /// <summary>The event as it is after this change, from the one before (its centre does not travel in the message).</summary>
    public EventDefinition ApplyTo(EventDefinition before) => new(before.Id, Name, before.Center,
        [.. Zones.Select(z => new ZoneDefinition(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold, z.GateWidthM))], TimeZone, Capacity);

    public static VenueUpdatedPayload Of(Event e) => new(
        [.. e.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(z => new ZonePayload(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold, z.GateWidthM))],
        e.Name, e.TimeZone, e.Capacity);
}
