namespace CrowdShield.Core.Reports;

// The payload of report:new, published by this feature. The message bus adds eventId and seq on the
// wire and in the feed, so no payload declares them.

public sealed record ReportNewPayload(
    string Id, string Message, string Type, DateTimeOffset CreatedAt,
    double? Lat, double? Lng, string? ZoneId, string CreatedBy);
