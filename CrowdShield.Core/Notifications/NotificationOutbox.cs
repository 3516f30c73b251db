using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Notifications;

/// <summary>The webhook body of the contract: <c>{kind, alert, eventId, eventName, at}</c>, plus the escalation level.</summary>
public sealed record NotificationBody(string Kind, AlertView Alert, string EventId, string EventName, DateTimeOffset At, int Level);

/// <summary>
/// Queues what an alert must reach beyond the screens: the configured webhooks get everything; the event's routing
/// table picks channels by severity, zone and kind for the alert's level (1 when raised, 2 at the first
/// escalation…). Only rows are written here, in the alert's path: sending is the dispatcher's, so a receiver that
/// hangs never slows ingest.
/// </summary>
public sealed class NotificationOutbox(
    IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, IOptions<NotificationOptions> options, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Raised after messages were queued, so this node's dispatcher sends them without waiting for its next poll.</summary>
    public event Action? Queued;

    public async Task EnqueueAsync(Alert alert, string kind, int escalationLevel, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var definition = await events.FindAsync(alert.EventId, cancellationToken);
        var body = JsonSerializer.Serialize(
            new NotificationBody(kind, AlertView.Of(alert), alert.EventId, definition?.Name ?? alert.EventId, now, escalationLevel + 1), Json);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var queued = new List<Notification>();
        foreach (var hook in options.Value.Webhooks.Where(h => !string.IsNullOrWhiteSpace(h.Url)))
        {
            queued.Add(New(Channels.Webhook, hook.Url, hook.Secret));
        }
        foreach (var rule in Routing.Matching(await db.NotificationRules.AsNoTracking().Where(r => r.EventId == alert.EventId).ToListAsync(cancellationToken),
            alert, escalationLevel + 1))
        {
            switch (rule.Channel)
            {
                case Channels.Webhook:
                case Channels.Email:
                    queued.Add(New(rule.Channel, rule.Target, rule.Secret));
                    break;
                case Channels.Push:
                    // One message per tablet of the role's members (admins see every event).
                    var devices = await db.PushRegistrations.AsNoTracking()
                        .Where(p => p.EventId == alert.EventId)
                        .Join(db.Users.Where(u => !u.Disabled && (rule.Target == Routing.Everyone || u.Role == rule.Target)), p => p.UserId, u => u.Id, (p, _) => p.Id)
                        .ToListAsync(cancellationToken);
                    queued.AddRange(devices.Select(id => New(Channels.Push, id.ToString(System.Globalization.CultureInfo.InvariantCulture), null)));
                    break;
            }
        }
        // The same target twice (a hook both configured and routed) gets the message once.
        queued = [.. queued.DistinctBy(n => (n.Channel, n.Target))];
        if (queued.Count == 0)
        {
            return;
        }
        db.Notifications.AddRange(queued);
        await db.SaveChangesAsync(cancellationToken);
        Queued?.Invoke();

        Notification New(string channel, string target, string? secret) => new()
        {
            EventId = alert.EventId, AlertId = alert.Id, Channel = channel, Target = target, Kind = kind, Body = body,
            Signature = string.IsNullOrEmpty(secret) ? null : Sign(body, secret), CreatedAt = now, NextAttemptAt = now,
        };
    }

    /// <summary>The contract's signature header value: <c>sha256=</c> and the hex HMAC-SHA256 of the body with the secret.</summary>
    public static string Sign(string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Deliveries that kept failing (or all recent ones), newest first.</summary>
    public async Task<IReadOnlyList<Notification>> ListAsync(string eventId, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Notifications.AsNoTracking().Where(n => n.EventId == eventId);
        if (status is not null)
        {
            query = query.Where(n => n.Status == status);
        }
        return await query.OrderByDescending(n => n.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Sends a dead (or pending) message again from its first attempt; false when there is no such message in the event.</summary>
    public async Task<Notification?> RetryAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var notification = await db.Notifications.FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (notification is null || notification.Status == NotificationStatus.Sent)
        {
            return notification;
        }
        (notification.Status, notification.Attempts, notification.NextAttemptAt) = (NotificationStatus.Pending, 0, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        Queued?.Invoke();
        return notification;
    }
}

/// <summary>The routing table's rules: which lines an alert at a level matches.</summary>
public static class Routing
{
    /// <summary>A push target meaning every member of the event with a registered device.</summary>
    public const string Everyone = "all";

    public static readonly IReadOnlyList<string> PushTargets = [Roles.Field, Roles.Operator, Roles.Admin, Everyone];

    /// <summary>
    /// The lines of <paramref name="level"/> that match the alert; past the table's last level, the last level's
    /// lines again (an escalation never goes nowhere because the table is short).
    /// </summary>
    public static IEnumerable<NotificationRule> Matching(IReadOnlyList<NotificationRule> rules, Alert alert, int level)
    {
        var matching = rules.Where(r => AlertTypes.SeverityRank(alert.Severity) >= AlertTypes.SeverityRank(r.MinSeverity)
            && (r.ZoneId is null || r.ZoneId == alert.ZoneId)
            && (r.AlertType is null || r.AlertType == alert.Type)).ToList();
        if (matching.Count == 0)
        {
            return [];
        }
        var effective = Math.Min(level, matching.Max(r => r.Level));
        return matching.Where(r => r.Level == effective);
    }
}
