namespace CrowdShield.Core.Alerts;

// The payloads of alert:new and alert:updated, published by this feature. The message bus adds eventId and seq on the
// wire and in the feed, so no payload declares them.

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
