namespace CrowdShield.Core.Map;

// The payload of map:update, published by this feature. The message bus adds eventId and seq on the
// wire and in the feed, so no payload declares them.

public sealed record MapUpdatePayload(
    IReadOnlyList<MapPoint> Points,
    IReadOnlyList<DensityCell> Density,
    IReadOnlyList<ZoneDensity> Zones,
    DateTimeOffset UpdatedAt,
    string Source)
{
    /// <summary>New points left out of this update because it was full (see MapOptions.MaxPointsPerUpdate); 0 normally.</summary>
    public int DroppedPoints { get; init; }

    /// <summary>Stewards' positions (a separate layer, never part of the crowd).</summary>
    public IReadOnlyList<StaffPosition> Staff { get; init; } = [];

    /// <summary>The venue's total against its licensed capacity.</summary>
    public VenueTotal? Venue { get; init; }

    /// <summary>
    /// True (with <c>source: "snapshot"</c>) when <see cref="Points"/> is every live point rather than the new ones:
    /// a client replaces its points instead of adding to them. Sent when a node rebuilt the map from the database,
    /// e.g. after a restart, so pings acknowledged just before a crash still reach every screen. Absent otherwise.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Snapshot { get; init; }
}
