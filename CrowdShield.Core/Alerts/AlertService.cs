using System.Collections.Concurrent;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Alerts;

public enum AlertChangeOutcome { Changed, Unchanged, NotFound, Conflict }

public sealed record AlertChange(AlertChangeOutcome Outcome, Alert? Alert, string? Reason = null);

/// <summary>
/// Decides alerts. A reading over a zone's threshold opens an overcrowding alert, one per zone while it is
/// open: repeats do not spam, a worse reading escalates the open alert. Counts captured long ago
/// (backfill) never raise alerts about the past.
/// </summary>
public sealed class AlertService(IDbContextFactory<CrowdShieldDb> dbFactory, IEventHub hub, TimeProvider time)
{
    /// <summary>Older readings are history, not news.</summary>
    public static readonly TimeSpan LiveWindow = TimeSpan.FromMinutes(5);

    /// <summary>At this multiple of the threshold an alert is critical.</summary>
    public const double CriticalFactor = 1.5;

    // One decision at a time per zone, so two concurrent readings cannot open two alerts.
    private readonly ConcurrentDictionary<(string, string), SemaphoreSlim> _zoneLocks = new();

    /// <returns>The zone's open overcrowding alert after this reading, if there is one.</returns>
    public async Task<Alert?> EvaluateCountAsync(string eventId, VenueZone zone, int count, DateTimeOffset capturedAt, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var live = capturedAt >= now - LiveWindow;
        var over = count > zone.AlertThreshold;
        var gate = _zoneLocks.GetOrAdd((eventId, zone.Id), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var open = await db.Alerts
                .Where(a => a.EventId == eventId && a.ZoneId == zone.Id && a.Type == AlertTypes.Overcrowding && a.Status != AlertStatus.Resolved)
                .OrderByDescending(a => a.CreatedAt)
                .FirstOrDefaultAsync(cancellationToken);
            if (!over || !live)
            {
                return open;
            }
            var severity = count >= zone.AlertThreshold * CriticalFactor ? AlertSeverity.Critical : AlertSeverity.Warning;
            var message = $"{zone.Name}: {count} people counted, over the threshold of {zone.AlertThreshold}.";
            if (open is null)
            {
                open = new Alert
                {
                    Id = Ids.New(), EventId = eventId, ZoneId = zone.Id, Type = AlertTypes.Overcrowding,
                    Message = message, Severity = severity, CreatedAt = now,
                };
                db.Alerts.Add(open);
                await db.SaveChangesAsync(CancellationToken.None);
                await hub.PublishAsync(eventId, RealtimeEvents.AlertNew,
                    new AlertNewPayload(open.Id, open.Type, open.Message, open.Severity, open.ZoneId, open.CreatedAt), CancellationToken.None);
            }
            else if (severity == AlertSeverity.Critical && open.Severity != AlertSeverity.Critical)
            {
                open.Severity = severity;
                open.Message = message;
                await db.SaveChangesAsync(CancellationToken.None);
                await hub.PublishAsync(eventId, RealtimeEvents.AlertUpdated, Updated(open), CancellationToken.None);
            }
            return open;
        }
        finally
        {
            gate.Release();
        }
    }

    public Task<AlertChange> AcknowledgeAsync(string alertId, Caller caller, CancellationToken cancellationToken = default) =>
        ChangeAsync(alertId, caller, alert =>
        {
            if (alert.Status == AlertStatus.Resolved)
            {
                return (AlertChangeOutcome.Conflict, "The alert is already resolved.");
            }
            if (alert.Status == AlertStatus.Acknowledged)
            {
                return (AlertChangeOutcome.Unchanged, null);
            }
            alert.Status = AlertStatus.Acknowledged;
            alert.AcknowledgedAt = time.GetUtcNow();
            alert.AcknowledgedBy = caller.Email;
            return (AlertChangeOutcome.Changed, null);
        }, cancellationToken);

    public Task<AlertChange> ResolveAsync(string alertId, Caller caller, CancellationToken cancellationToken = default) =>
        ChangeAsync(alertId, caller, alert =>
        {
            if (alert.Status == AlertStatus.Resolved)
            {
                return (AlertChangeOutcome.Unchanged, null);
            }
            alert.Status = AlertStatus.Resolved;
            alert.ResolvedAt = time.GetUtcNow();
            alert.ResolvedBy = caller.Email;
            return (AlertChangeOutcome.Changed, null);
        }, cancellationToken);

    private async Task<AlertChange> ChangeAsync(
        string alertId, Caller caller, Func<Alert, (AlertChangeOutcome, string?)> change, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken);
        if (alert is null || !caller.CanSee(alert.EventId))
        {
            return new(AlertChangeOutcome.NotFound, null);
        }
        var (outcome, reason) = change(alert);
        if (outcome == AlertChangeOutcome.Changed)
        {
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Status is a concurrency token: when two operators resolve the same alert at once, one wins
                // and only that change is broadcast; the other sees the alert as it now is.
                await db.Entry(alert).ReloadAsync(cancellationToken);
                return new(AlertChangeOutcome.Unchanged, alert);
            }
            await hub.PublishAsync(alert.EventId, RealtimeEvents.AlertUpdated, Updated(alert), CancellationToken.None);
        }
        return new(outcome, alert, reason);
    }

    private static AlertUpdatedPayload Updated(Alert alert) =>
        new(alert.Id, alert.Status, alert.Severity, alert.ResolvedAt, alert.AcknowledgedAt);
}
