namespace CrowdShield.Core.Notifications;

/// <summary>
/// One message to send beyond the screens (a webhook call, an e-mail, a push to a tablet), kept in the database
/// until it is delivered: an outbox, so ingest never waits for a receiver and nothing is lost when one is down.
/// Retried with backoff; after <see cref="NotificationOptions.MaxAttempts"/> it is dead and shown as such.
/// </summary>
public sealed class Notification
{
    public long Id { get; init; }
    public required string EventId { get; init; }
    public string? AlertId { get; init; }
    /// <summary><see cref="Channels"/>.</summary>
    public required string Channel { get; init; }
    /// <summary>The webhook URL, the e-mail address, or the push subscription's id.</summary>
    public required string Target { get; init; }
    /// <summary>alert, escalation or forecast (the webhook's <c>kind</c>).</summary>
    public required string Kind { get; init; }
    /// <summary>The exact JSON sent (the webhook body; the source of the e-mail and the push).</summary>
    public required string Body { get; init; }
    /// <summary>A webhook's <c>X-CrowdShield-Signature</c>, made when queued so that no secret is stored with the message.</summary>
    public string? Signature { get; init; }
    public string Status { get; set; } = NotificationStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class Channels
{
    public const string Webhook = "webhook";
    public const string Email = "email";
    public const string Push = "push";

    public static readonly IReadOnlyList<string> All = [Webhook, Email, Push];
}

public static class NotificationStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    /// <summary>It kept failing: an operator looks at it (the dead letters) and may send it again.</summary>
    public const string Dead = "dead";
}

public static class NotificationKinds
{
    public const string Alert = "alert";
    public const string Escalation = "escalation";
    public const string Forecast = "forecast";
}

/// <summary>
/// A line of an event's routing table: alerts of at least <see cref="MinSeverity"/> (and of <see cref="ZoneId"/>,
/// <see cref="AlertType"/> when given) go to <see cref="Channel"/>/<see cref="Target"/> at <see cref="Level"/>:
/// level 1 when raised, level 2 at the first escalation, and so on.
/// </summary>
public sealed class NotificationRule
{
    public long Id { get; init; }
    public required string EventId { get; init; }
    public int Level { get; set; } = 1;
    public required string MinSeverity { get; set; }
    public string? ZoneId { get; set; }
    public string? AlertType { get; set; }
    public required string Channel { get; set; }
    /// <summary>A webhook URL, an e-mail address, or for push the role whose tablets and phones get it (field, operator, admin).</summary>
    public required string Target { get; set; }
    /// <summary>A webhook's signing secret (never shown back).</summary>
    public string? Secret { get; set; }
}

/// <summary>A field tablet's Web Push subscription, for alerts that reach stewards when the page is in a pocket.</summary>
public sealed class PushRegistration
{
    public long Id { get; init; }
    public required string UserId { get; init; }
    public required string EventId { get; init; }
    public required string Endpoint { get; init; }
    public required string P256dh { get; init; }
    public required string Auth { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Configuration section "Notifications".</summary>
public sealed class NotificationOptions
{
    /// <summary>Every alert, escalation and forecast alert of every event goes to these (contract: Notifications:Webhooks:{n}:Url, :Secret).</summary>
    public List<WebhookTarget> Webhooks { get; set; } = [];
    /// <summary>A critical alert nobody acknowledged within this is sent again one level up, and again after as long.</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Escalation stops at this level.</summary>
    public int MaxEscalationLevel { get; set; } = 3;
    public int MaxAttempts { get; set; } = 8;
    /// <summary>The first retry waits about this long, each next one twice as long (at most five minutes).</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>A single delivery attempt may take this long (a receiver that hangs costs this, once per attempt).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public EmailOptions Email { get; set; } = new();
    public PushOptions Push { get; set; } = new();
}

public sealed class WebhookTarget
{
    public string Url { get; set; } = "";
    public string? Secret { get; set; }
}

/// <summary>SMTP through MailKit; off unless Host is set.</summary>
public sealed class EmailOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>None, StartTls (default) or SslOnConnect.</summary>
    public string Security { get; set; } = "StartTls";
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "crowdshield@localhost";
    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>Web Push (VAPID): without keys configured, a key pair is made once and kept in the database.</summary>
public sealed class PushOptions
{
    public string? PublicKey { get; set; }
    public string? PrivateKey { get; set; }
    public string Subject { get; set; } = "mailto:crowdshield@localhost";
}
