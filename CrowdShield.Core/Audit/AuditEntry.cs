namespace CrowdShield.Core.Audit;

/// <summary>
/// One thing someone did that an administrator or a safety officer may have to account for later. Append-only:
/// nothing updates or deletes an entry but the retention purge.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>Who did it: the user's email, or "system", or the email typed at a failed sign-in.</summary>
    public required string Actor { get; init; }
    public string? ActorId { get; init; }
    /// <summary>What was done, one of <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }
    /// <summary>What it was done to: "user:…", "alert:…", "event:…", "zone:…/…".</summary>
    public required string Target { get; init; }
    public string? EventId { get; init; }
    /// <summary>What changed, in words an auditor reads.</summary>
    public required string Details { get; init; }
}

public static class AuditActions
{
    public const string SignIn = "sign_in";
    public const string SignInFailed = "sign_in_failed";
    public const string SignOut = "sign_out";
    public const string PasswordChanged = "password_changed";
    public const string UserCreated = "user_created";
    public const string UserChanged = "user_changed";
    public const string UserDeleted = "user_deleted";
    public const string EventCreated = "event_created";
    public const string EventChanged = "event_changed";
    public const string ZoneCreated = "zone_created";
    public const string ZoneChanged = "zone_changed";
    public const string ZoneDeleted = "zone_deleted";
    public const string AlertAcknowledged = "alert_acknowledged";
    public const string AlertResolved = "alert_resolved";
    public const string AlertCommented = "alert_commented";
    public const string AlertAssigned = "alert_assigned";
    public const string ActionRecorded = "action_recorded";
    public const string ActionTaken = "action_taken";
    public const string OccupancyRecalibrated = "occupancy_recalibrated";
    public const string Exported = "exported";
    public const string RoutingChanged = "routing_changed";
}
