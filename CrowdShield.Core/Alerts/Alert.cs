namespace CrowdShield.Core.Alerts;

public sealed class Alert
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public string? ZoneId { get; init; }
    /// <summary>For camera alerts: the camera concerned.</summary>
    public string? CameraId { get; init; }
    public required string Type { get; set; }
    public required string Message { get; set; }
    public required string Severity { get; set; }
    public string Status { get; set; } = AlertStatus.Open;
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    /// <summary>When the condition stayed below its recovery bound long enough (hysteresis); null while it persists.</summary>
    public DateTimeOffset? RecoveredAt { get; set; }
    /// <summary>Since when readings have stayed at or below the recovery bound; kept here so every node counts the same hold.</summary>
    public DateTimeOffset? RecoveringSince { get; set; }
    /// <summary>
    /// Set while the alert is not resolved: one condition (zone, kind, camera) has one such alert. A unique index on it
    /// makes the database refuse a second one when two nodes see the same reading at once.
    /// </summary>
    public string? OpenKey { get; set; }
    /// <summary>Incremented by every change: two nodes changing one alert at once cannot both win.</summary>
    public int Version { get; set; }
    /// <summary>A forecast alert: when the zone is expected to pass its threshold, the count forecast then and its 80 % interval.</summary>
    public DateTimeOffset? ExpectedAt { get; set; }
    public int? ForecastCount { get; set; }
    public int? ForecastLow { get; set; }
    public int? ForecastHigh { get; set; }
    /// <summary>How often nobody acknowledged it in time (0: never escalated), and when it last escalated.</summary>
    public int EscalationLevel { get; set; }
    public DateTimeOffset? EscalatedAt { get; set; }
    /// <summary>Who is dealing with it.</summary>
    public string? AssigneeId { get; set; }
    public string? AssigneeName { get; set; }
    public List<AlertComment> Comments { get; init; } = [];

    public static string KeyOf(string? zoneId, string type, string? cameraId) => $"{zoneId}\u001f{type}\u001f{cameraId}";
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
    /// <summary>A zone's density (persons per m²) at a dangerous level of service.</summary>
    public const string Density = "density";
    /// <summary>A camera that was reporting regularly went silent.</summary>
    public const string CameraOffline = "camera_offline";
    /// <summary>A zone below its threshold that the forecast says will pass it soon; becomes the overcrowding alert if it does.</summary>
    public const string Forecast = "forecast";

    public static int SeverityRank(string severity) => severity switch
    {
        AlertSeverity.Critical => 2,
        AlertSeverity.Warning => 1,
        _ => 0,
    };
}

/// <summary>Configuration section "Alerts".</summary>
public sealed class AlertOptions
{
    /// <summary>Readings captured longer ago than this are history (backfill): stored, never alerted on.</summary>
    public TimeSpan LiveWindow { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>At this multiple of a zone's threshold an overcrowding alert is critical.</summary>
    public double CriticalFactor { get; set; } = Map.DensityBands.CriticalLoad;
    /// <summary>A condition has recovered once readings stay at or below this share of the bound that raised it…</summary>
    public double RecoveryFactor { get; set; } = 0.8;
    /// <summary>…for this long. Between the recovery bound and the threshold nothing changes (hysteresis).</summary>
    public TimeSpan RecoveryHold { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>True: a recovered alert is resolved by the system. False: it stays for an operator, marked recovered.</summary>
    public bool AutoResolve { get; set; } = true;
    /// <summary>A camera reporting every few seconds or minutes is silent after max(this, 3 × its usual interval).</summary>
    public TimeSpan CameraSilence { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>A zone forecast to pass its threshold within this (while still below it) gets a forecast alert.</summary>
    public TimeSpan ForecastHorizon { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>A note on an alert: what was seen, what was done; part of the shift log.</summary>
public sealed class AlertComment
{
    public const int MaxLength = 2000;

    public required string Id { get; init; }
    public required string AlertId { get; init; }
    public required string Text { get; init; }
    public required string AuthorId { get; init; }
    public required string Author { get; init; }
    public required DateTimeOffset At { get; init; }
}
