using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;

namespace CrowdShield.Core.Realtime;

// The payloads of the seven messages. The hub adds eventId and seq to each on the wire and in the feed.

public sealed record MapUpdatePayload(
    IReadOnlyList<MapPoint> Points,
    IReadOnlyList<DensityCell> Density,
    IReadOnlyList<ZoneDensity> Zones,
    DateTimeOffset UpdatedAt,
    string Source);

public sealed record AlertNewPayload(
    string Id, string Type, string Message, string Severity, string? ZoneId, DateTimeOffset CreatedAt);

public sealed record AlertUpdatedPayload(
    string Id, string Status, string Severity, DateTimeOffset? ResolvedAt, DateTimeOffset? AcknowledgedAt);

public sealed record InsightUpdatePayload(
    int RiskScore, string Recommendation, double Confidence, IReadOnlyList<RiskFactor> Factors, string MlStatus,
    DateTimeOffset GeneratedAt);

public sealed record PredictionUpdatePayload(
    int HorizonMinutes, IReadOnlyList<ZonePrediction> Predictions, DateTimeOffset GeneratedAt);

public sealed record ActionCreatedPayload(
    string Id, string EventId, string Command, string? ZoneId, string? Note, string CreatedBy, DateTimeOffset CreatedAt);

public sealed record ReportNewPayload(
    string Id, string Message, string Type, DateTimeOffset CreatedAt,
    double? Lat, double? Lng, string? ZoneId, string CreatedBy);
