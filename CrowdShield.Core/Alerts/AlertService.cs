using System.Collections.Concurrent;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Alerts;

public enum AlertChangeOutcome { Changed, Unchanged, NotFound, Conflict, Forbidden }

public sealed record AlertChange(AlertChangeOutcome Outcome, Alert? Alert, string? Reason = null);

/// <summary>
/// The alert engine. Each (zone, kind) — and each camera for silence — has at most one open alert: repeated
/// readings do not create new ones, a worse reading escalates the open one (alert:updated), and recovery needs
/// readings to stay at or below a lower bound for <see cref="AlertOptions.RecoveryHold"/> (hysteresis) before
/// the alert is auto-resolved or marked recovered. Readings captured long ago (backfill) never raise alerts.
/// </summary>
public sealed class AlertService(
    IDbContextFactory<CrowdShieldDb> dbFactory, IMessageBus bus, AuditLog audit, IOptions<AlertOptions> options, IOptions<MapOptions> mapOptions,
    TimeProvider time)
{
    public const string System = "system";

    // One decision at a time per condition, so two concurrent readings cannot open two alerts.
    private readonly ConcurrentDictionary<(string EventId, string Zone, string Type, string Camera), SemaphoreSlim> _locks = new();

    private AlertOptions Options => options.Value;

    /// <summary>What one condition looks like now: its severity when raised (null when not), and whether it is below the recovery bound.</summary>
    private sealed record Condition(string Type, string? Severity, bool Recovered, string Message, string? CameraId = null);

    /// <summary>Decides the zone's overcrowding and density alerts after a camera reading.</summary>
    /// <returns>The zone's open overcrowding alert after this reading, if there is one.</returns>
    public async Task<Alert?> EvaluateZoneAsync(
        string eventId, ZoneDefinition zone, int count, ZoneDensity occupancy, DateTimeOffset capturedAt, CancellationToken cancellationToken = default)
    {
        if (capturedAt < time.GetUtcNow() - Options.LiveWindow)
        {
            return await FindOpenAsync(eventId, zone.Id, AlertTypes.Overcrowding, null, cancellationToken);
        }
        var threshold = zone.AlertThreshold;
        var overSeverity = count >= threshold * Options.CriticalFactor && count > threshold ? AlertSeverity.Critical
            : count > threshold ? AlertSeverity.Warning
            : null;
        var crowd = new Condition(AlertTypes.Overcrowding, overSeverity, count <= threshold * Options.RecoveryFactor,
            $"{zone.Name}: {count} people counted, over the threshold of {threshold}"
            + (occupancy.Density is { } d ? $" ({d:0.##} persons/m²)." : "."));
        var alert = await ApplyAsync(eventId, zone.Id, crowd, cancellationToken);

        if (occupancy.Density is { } density)
        {
            var bands = mapOptions.Value.BandsFor(eventId);
            // The density band alone: the zone's level also counts load against its threshold, which the
            // overcrowding alert above already covers.
            var densityLevel = bands.LevelOf(density);
            var densitySeverity = densityLevel switch
            {
                DensityBands.Critical => AlertSeverity.Critical,
                DensityBands.High => AlertSeverity.Warning,
                _ => null,
            };
            await ApplyAsync(eventId, zone.Id, new Condition(AlertTypes.Density, densitySeverity, density <= bands.HighFrom * Options.RecoveryFactor,
                $"{zone.Name}: density {density:0.##} persons/m² ({densityLevel}), {occupancy.Count} people in {zone.AreaM2:0} m²."), cancellationToken);
        }
        return alert;
    }

    /// <summary>A camera went silent: one open camera_offline alert for it.</summary>
    public Task CameraSilentAsync(string eventId, string zoneId, string zoneName, string cameraId, TimeSpan silentFor, CancellationToken cancellationToken = default) =>
        ApplyAsync(eventId, zoneId, new Condition(AlertTypes.CameraOffline, AlertSeverity.Warning, false,
            $"{zoneName}: camera {cameraId} has not reported for {Math.Round(silentFor.TotalMinutes)} min.", cameraId), cancellationToken);

    /// <summary>A camera reported: its silence alert, if any, recovers at once (a report is proof enough).</summary>
    public async Task CameraReportedAsync(string eventId, string zoneId, string cameraId, CancellationToken cancellationToken = default)
    {
        if (await FindOpenAsync(eventId, zoneId, AlertTypes.CameraOffline, cameraId, cancellationToken) is not null)
        {
            await ApplyAsync(eventId, zoneId, new Condition(AlertTypes.CameraOffline, null, true, "", cameraId), cancellationToken, hold: TimeSpan.Zero);
        }
    }

    private async Task<Alert?> ApplyAsync(string eventId, string zoneId, Condition condition, CancellationToken cancellationToken, TimeSpan? hold = null)
    {
        var key = (eventId, zoneId, condition.Type, condition.CameraId ?? "");
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // The gate orders readings on this node; the database orders them across nodes (a unique open alert per
            // condition, and a version on every alert). A reading that lost a race to another node decides again
            // from what that node stored.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await DecideAsync(eventId, zoneId, condition, hold ?? Options.RecoveryHold, cancellationToken);
                }
                catch (DbUpdateException) when (attempt < 5)
                {
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<Alert?> DecideAsync(string eventId, string zoneId, Condition condition, TimeSpan hold, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await OpenQuery(db, eventId, zoneId, condition.Type, condition.CameraId).FirstOrDefaultAsync(cancellationToken);
        if (condition.Severity is { } severity)
        {
            if (open is null)
            {
                open = new Alert
                {
                    Id = Ids.New(), EventId = eventId, ZoneId = zoneId, CameraId = condition.CameraId, Type = condition.Type,
                    Message = condition.Message, Severity = severity, CreatedAt = now,
                    OpenKey = Alert.KeyOf(zoneId, condition.Type, condition.CameraId),
                };
                db.Alerts.Add(open);
                await db.SaveChangesAsync(CancellationToken.None);
                await bus.PublishAsync(eventId, MessageTypes.AlertNew,
                    new AlertNewPayload(open.Id, open.Type, open.Message, open.Severity, open.ZoneId, open.CreatedAt), CancellationToken.None);
            }
            else if (AlertTypes.SeverityRank(severity) > AlertTypes.SeverityRank(open.Severity) || open.RecoveredAt is not null)
            {
                // Worse than when raised, or back after a recovery an operator has not closed yet.
                open.Severity = AlertTypes.SeverityRank(severity) > AlertTypes.SeverityRank(open.Severity) ? severity : open.Severity;
                open.Message = condition.Message;
                open.RecoveredAt = null;
                open.RecoveringSince = null;
                open.Version++;
                await db.SaveChangesAsync(CancellationToken.None);
                await bus.PublishAsync(eventId, MessageTypes.AlertUpdated, Updated(open), CancellationToken.None);
            }
            else if (open.RecoveringSince is not null)
            {
                open.RecoveringSince = null;
                open.Version++;
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }
        else if (condition.Recovered && open is not null && open.RecoveredAt is null)
        {
            open.RecoveringSince ??= now;
            if (now - open.RecoveringSince >= hold)
            {
                open.RecoveredAt = now;
                open.RecoveringSince = null;
                if (Options.AutoResolve)
                {
                    open.Status = AlertStatus.Resolved;
                    open.ResolvedAt = now;
                    open.ResolvedBy = System;
                    open.OpenKey = null;
                }
                open.Version++;
                await db.SaveChangesAsync(CancellationToken.None);
                await bus.PublishAsync(eventId, MessageTypes.AlertUpdated, Updated(open), CancellationToken.None);
            }
            else if (db.Entry(open).Property(a => a.RecoveringSince).IsModified)
            {
                open.Version++;
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }
        else if (!condition.Recovered && open?.RecoveringSince is not null)
        {
            // Between the recovery bound and the threshold: recovery must start again from below the bound.
            open.RecoveringSince = null;
            open.Version++;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return open?.Status == AlertStatus.Resolved ? null : open;
    }

    private async Task<Alert?> FindOpenAsync(string eventId, string zoneId, string type, string? cameraId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await OpenQuery(db, eventId, zoneId, type, cameraId).AsNoTracking().FirstOrDefaultAsync(cancellationToken);
    }

    private static IQueryable<Alert> OpenQuery(CrowdShieldDb db, string eventId, string zoneId, string type, string? cameraId) =>
        db.Alerts
            .Where(a => a.EventId == eventId && a.ZoneId == zoneId && a.Type == type && a.CameraId == cameraId && a.Status != AlertStatus.Resolved)
            .OrderByDescending(a => a.CreatedAt);

    /// <summary>An event's alerts, newest first; with <paramref name="status"/>, only those; "active" means not resolved.</summary>
    public async Task<IReadOnlyList<Alert>> ListAsync(string eventId, string? status, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Alerts.AsNoTracking().Where(a => a.EventId == eventId);
        query = status switch
        {
            null => query,
            ActiveStatus => query.Where(a => a.Status != AlertStatus.Resolved),
            _ => query.Where(a => a.Status == status),
        };
        return await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>The pseudo-status of <see cref="ListAsync"/> for open and acknowledged alerts together.</summary>
    public const string ActiveStatus = "active";

    public Task<AlertChange> AcknowledgeAsync(string alertId, Caller caller, CancellationToken cancellationToken = default) =>
        ChangeAsync(alertId, caller, AuditActions.AlertAcknowledged, alert =>
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
            alert.Version++;
            alert.AcknowledgedAt = time.GetUtcNow();
            alert.AcknowledgedBy = caller.Email;
            return (AlertChangeOutcome.Changed, null);
        }, cancellationToken);

    public Task<AlertChange> ResolveAsync(string alertId, Caller caller, CancellationToken cancellationToken = default) =>
        ChangeAsync(alertId, caller, AuditActions.AlertResolved, alert =>
        {
            if (alert.Status == AlertStatus.Resolved)
            {
                return (AlertChangeOutcome.Unchanged, null);
            }
            alert.Status = AlertStatus.Resolved;
            alert.OpenKey = null;
            alert.Version++;
            alert.ResolvedAt = time.GetUtcNow();
            alert.ResolvedBy = caller.Email;
            return (AlertChangeOutcome.Changed, null);
        }, cancellationToken);

    /// <summary>
    /// Applies an operator's change. The caller is checked here, whoever calls (an API handler or a page): a
    /// non-member learns nothing (not found), a member whose role does not operate is refused.
    /// </summary>
    private async Task<AlertChange> ChangeAsync(
        string alertId, Caller caller, string auditAction, Func<Alert, (AlertChangeOutcome, string?)> change, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken);
        if (alert is null || !caller.CanSee(alert.EventId))
        {
            return new(AlertChangeOutcome.NotFound, null);
        }
        if (!caller.MayOperate(alert.EventId))
        {
            return new(AlertChangeOutcome.Forbidden, null, $"A {caller.Role} may not change alerts.");
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
                // Version is a concurrency token: when two operators resolve the same alert at once, one wins
                // and only that change is broadcast; the other sees the alert as it now is.
                await db.Entry(alert).ReloadAsync(cancellationToken);
                return new(AlertChangeOutcome.Unchanged, alert);
            }
            await bus.PublishAsync(alert.EventId, MessageTypes.AlertUpdated, Updated(alert), CancellationToken.None);
            await audit.RecordAsync(caller, auditAction, $"alert:{alert.Id}", $"{alert.Type} alert in zone {alert.ZoneId}: {alert.Message}",
                alert.EventId, CancellationToken.None);
        }
        return new(outcome, alert, reason);
    }

    private static AlertUpdatedPayload Updated(Alert alert) =>
        new(alert.Id, alert.Status, alert.Severity, alert.Message, alert.ResolvedAt, alert.AcknowledgedAt, alert.RecoveredAt);
}
