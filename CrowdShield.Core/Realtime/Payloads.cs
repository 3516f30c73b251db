using CrowdShield.Core.Alerts;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;

namespace CrowdShield.Core.Realtime;

// The payloads of the seven messages. The message bus adds eventId and seq to each on the wire and in the feed,
// so no payload declares them itself.

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

public sealed record AlertNewPayload(
    string Id, string Type, string Message, string Severity, string? ZoneId, DateTimeOffset CreatedAt)
{
    /// <summary>A forecast alert: when the zone is expected to pass its threshold, and the forecast with its 80 % interval.</summary>
    public DateTimeOffset? ExpectedAt { get; init; }
    public ForecastView? Forecast { get; init; }
}

public sealed record AlertUpdatedPayload(
    string Id, string Status, string Severity, string Message, DateTimeOffset? ResolvedAt, DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? RecoveredAt)
{
    /// <summary>The alert's kind now: a forecast alert becomes <c>overcrowding</c> when the threshold is passed.</summary>
    public string? Type { get; init; }
    public string? AcknowledgedBy { get; init; }
    /// <summary>How often it escalated because nobody acknowledged it (0: never).</summary>
    public int EscalationLevel { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
    public AssigneeView? Assignee { get; init; }
    public DateTimeOffset? ExpectedAt { get; init; }
    public ForecastView? Forecast { get; init; }
    public IReadOnlyList<CommentView> Comments { get; init; } = [];
}

public sealed record InsightUpdatePayload(
    int RiskScore, string Recommendation, double Confidence, IReadOnlyList<RiskFactor> Factors, string MlStatus,
    DateTimeOffset GeneratedAt);

public sealed record PredictionUpdatePayload(
    int HorizonMinutes, IReadOnlyList<ZonePrediction> Predictions, DateTimeOffset GeneratedAt);

public sealed record ActionCreatedPayload(
    string Id, string Command, string? ZoneId, string? Note, string CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>The steward who took it from a field tablet ("on it"); sent again as action:created when taken.</summary>
    public string? TakenBy { get; init; }
    public DateTimeOffset? TakenAt { get; init; }
}

public sealed record ReportNewPayload(
    string Id, string Message, string Type, DateTimeOffset CreatedAt,
    double? Lat, double? Lng, string? ZoneId, string CreatedBy);

/// <summary>A zone as <c>venue:updated</c> carries it (the same fields as the REST zone).</summary>
public sealed record ZonePayload(
    string Id, string Name, IReadOnlyList<GeoPoint> Polygon, double? AreaM2, int? Capacity, int AlertThreshold, double? GateWidthM);

public sealed record VenueUpdatedPayload(IReadOnlyList<ZonePayload> Zones, string Name, string TimeZone, int? Capacity)
{
    /// <summary>The event as it is after this change, from the one before (its centre does not travel in the message).</summary>
    public Events.EventDefinition ApplyTo(Events.EventDefinition before) => new(before.Id, Name, before.Center,
        [.. Zones.Select(z => new Events.ZoneDefinition(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold, z.GateWidthM))], TimeZone, Capacity);

    public static VenueUpdatedPayload Of(Events.Event e) => new(
        [.. e.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(z => new ZonePayload(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold, z.GateWidthM))],
        e.Name, e.TimeZone, e.Capacity);
}
