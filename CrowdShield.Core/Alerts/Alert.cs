namespace CrowdShield.Core.Alerts;

public sealed class Alert
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public string? ZoneId { get; init; }
    public required string Type { get; init; }
    public required string Message { get; set; }
    public required string Severity { get; set; }
    public string Status { get; set; } = AlertStatus.Open;
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
}

public static class AlertStatus
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";

    public static readonly IReadOnlyList<string> All = [Open, Acknowledged, Resolved];
}

public static class AlertSeverity
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Info, Warning, Critical];
}

public static class AlertTypes
{
    /// <summary>A camera count above the zone's alert threshold.</summary>
    public const string Overcrowding = "overcrowding";
}
