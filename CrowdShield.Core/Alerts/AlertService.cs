using System.Globalization;
using System.Collections.Concurrent;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Diagnostics;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Notifications;
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
    IDbContextFactory<CrowdShieldDb> dbFactory, IMessageBus bus, AuditLog audit, NotificationOutbox outbox, IOptions<AlertOptions> options,
    IOptions<MapOptions> mapOptions, CrowdShieldMetrics metrics, TimeProvider time)
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
            if (open is null && condition.Type == AlertTypes.Overcrowding
                && await OpenQuery(db, eventId, zoneId, AlertTypes.Forecast, null).FirstOrDefaultAsync(cancellationToken) is { } forecast)
            {
                // The forecast came true: its alert becomes the live one (one episode, one alert), keeping its history.
                open = forecast;
                open.Type = condition.Type;
                open.OpenKey = Alert.KeyOf(zoneId, condition.Type, null);
                open.Severity = severity;
                open.Message = condition.Message;
                open.Version++;
                await db.SaveChangesAsync(CancellationToken.None);
                await bus.PublishAsync(eventId, MessageTypes.AlertUpdated, Updated(open), CancellationToken.None);
                await outbox.EnqueueAsync(open, NotificationKinds.Alert, 0, CancellationToken.None);
            }
            else if (open is null)
            {
                open = new Alert
                {
                    Id = Ids.New(), EventId = eventId, ZoneId = zoneId, CameraId = condition.CameraId, Type = condition.Type,
                    Message = condition.Message, Severity = severity, CreatedAt = now,
                    OpenKey = Alert.KeyOf(zoneId, condition.Type, condition.CameraId),
                };
                db.Alerts.Add(open);
                await db.SaveChangesAsync(CancellationToken.None);
                await bus.PublishAsync(eventId, MessageTypes.AlertNew, New(open), CancellationToken.None);
                await outbox.EnqueueAsync(open, NotificationKinds.Alert, 0, CancellationToken.None);
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

    /// <summary>The zones of the event with an open forecast alert.</summary>
    public async Task<IReadOnlySet<string>> ForecastZonesAsync(string eventId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.Alerts.AsNoTracking()
            .Where(a => a.EventId == eventId && a.Type == AlertTypes.Forecast && a.Status != AlertStatus.Resolved && a.ZoneId != null)
            .Select(a => a.ZoneId!).ToListAsync(cancellationToken)).ToHashSet();
    }

    /// <summary>An event's alerts, newest first; with <paramref name="status"/>, only those; "active" means not resolved.</summary>
    public async Task<IReadOnlyList<Alert>> ListAsync(string eventId, string? status, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Alerts.AsNoTracking().Include(a => a.Comments).Where(a => a.EventId == eventId);
        query = status switch
        {
            null => query,
            ActiveStatus => query.Where(a => a.Status != AlertStatus.Resolved),
            _ => query.Where(a => a.Status == status),
        };
        return await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(limit).AsSplitQuery().ToListAsync(cancellationToken);
    }

    /// <summary>The pseudo-status of <see cref="ListAsync"/> for open and acknowledged alerts together.</summary>
    public const string ActiveStatus = "active";

    public async Task<AlertChange> AcknowledgeAsync(string alertId, Caller caller, CancellationToken cancellationToken = default)
    {
        var change = await ChangeAsync(alertId, caller, AuditActions.AlertAcknowledged, alert =>
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
        if (change is { Outcome: AlertChangeOutcome.Changed, Alert: { AcknowledgedAt: { } at } alert })
        {
            metrics.AlertAcknowledged(at - alert.CreatedAt);
        }
        return change;
    }

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
        var alert = await db.Alerts.Include(a => a.Comments).FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken);
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

    /// <summary>A note on the alert (what was seen, what was done): stored, broadcast with the alert, audited.</summary>
    public async Task<(AlertChangeOutcome Outcome, AlertComment? Comment, Alert? Alert)> CommentAsync(
        string alertId, string text, Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var alert = await db.Alerts.Include(a => a.Comments).FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken);
        if (alert is null || !caller.CanSee(alert.EventId))
        {
            return (AlertChangeOutcome.NotFound, null, null);
        }
        if (!caller.MayOperate(alert.EventId))
        {
            return (AlertChangeOutcome.Forbidden, null, null);
        }
        var comment = new AlertComment { Id = Ids.New(), AlertId = alert.Id, Text = text.Trim(), AuthorId = caller.UserId, Author = caller.Email, At = time.GetUtcNow() };
        alert.Comments.Add(comment);
        alert.Version++;
        await db.SaveChangesAsync(cancellationToken);
        await bus.PublishAsync(alert.EventId, MessageTypes.AlertUpdated, Updated(alert), CancellationToken.None);
        await audit.RecordAsync(caller, AuditActions.AlertCommented, $"alert:{alert.Id}", comment.Text, alert.EventId, CancellationToken.None);
        return (AlertChangeOutcome.Changed, comment, alert);
    }

    /// <summary>Gives the alert to someone who may see its event (a member or an admin); broadcast and audited.</summary>
    /// <exception cref="Validation.ValidationException">The user does not exist or cannot see the event (field userId).</exception>
    public async Task<AlertChange> AssignAsync(string alertId, string userId, Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var alert = await db.Alerts.Include(a => a.Comments).FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken);
        if (alert is null || !caller.CanSee(alert.EventId))
        {
            return new(AlertChangeOutcome.NotFound, null);
        }
        if (!caller.MayOperate(alert.EventId))
        {
            return new(AlertChangeOutcome.Forbidden, null, $"A {caller.Role} may not assign alerts.");
        }
        var assignee = await db.Users.AsNoTracking().Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (assignee is null || assignee.Disabled || (assignee.Role != Roles.Admin && assignee.Memberships.All(m => m.EventId != alert.EventId))
            || assignee.Role == Roles.Device)
        {
            throw Validation.ValidationException.For("userId", $"'userId' must be a user who can see event {alert.EventId}.");
        }
        alert.AssigneeId = assignee.Id;
        alert.AssigneeName = assignee.Name;
        alert.Version++;
        await db.SaveChangesAsync(cancellationToken);
        await bus.PublishAsync(alert.EventId, MessageTypes.AlertUpdated, Updated(alert), CancellationToken.None);
        await audit.RecordAsync(caller, AuditActions.AlertAssigned, $"alert:{alert.Id}", $"assigned to {assignee.Email} ({assignee.Name})", alert.EventId,
            CancellationToken.None);
        return new(AlertChangeOutcome.Changed, alert);
    }

    /// <summary>
    /// The zone is forecast to pass its threshold (<paramref name="forecast"/>): opens its forecast alert, or
    /// updates it when the expected time or numbers moved (without repeating the notification).
    /// </summary>
    public async Task ForecastAsync(EventDefinition definition, ZoneDefinition zone, ZoneForecast forecast, CancellationToken cancellationToken = default)
    {
        var eventId = definition.Id;
        var gate = _locks.GetOrAdd((eventId, zone.Id, AlertTypes.Forecast, ""), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // A live alert already covers the zone: the episode has its alert.
            if (await OpenQuery(db, eventId, zone.Id, AlertTypes.Overcrowding, null).AnyAsync(cancellationToken))
            {
                return;
            }
            var expected = definition.VenueTime(forecast.ExpectedAt).ToString("HH:mm", CultureInfo.InvariantCulture);
            var message = $"{zone.Name}: forecast to pass its threshold of {zone.AlertThreshold} at about {expected} "
                + $"({forecast.Count} expected; 80 % between {forecast.Low} and {forecast.High}).";
            var open = await OpenQuery(db, eventId, zone.Id, AlertTypes.Forecast, null).FirstOrDefaultAsync(cancellationToken);
            if (open is null)
            {
                open = new Alert
                {
                    Id = Ids.New(), EventId = eventId, ZoneId = zone.Id, Type = AlertTypes.Forecast, Message = message, Severity = AlertSeverity.Warning,
                    CreatedAt = time.GetUtcNow(), OpenKey = Alert.KeyOf(zone.Id, AlertTypes.Forecast, null),
                    ExpectedAt = forecast.ExpectedAt, ForecastCount = forecast.Count, ForecastLow = forecast.Low, ForecastHigh = forecast.High,
                };
                db.Alerts.Add(open);
                try
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                }
                catch (DbUpdateException)
                {
                    return; // another node opened it at the same moment
                }
                await bus.PublishAsync(eventId, MessageTypes.AlertNew, New(open), CancellationToken.None);
                await outbox.EnqueueAsync(open, NotificationKinds.Forecast, 0, CancellationToken.None);
            }
            // Screens hear of a forecast that moved meaningfully (two minutes, a tenth of the count), not of every re-run.
            else if (open.ExpectedAt is not { } before || Math.Abs((before - forecast.ExpectedAt).TotalMinutes) >= 2
                || Math.Abs((open.ForecastCount ?? 0) - forecast.Count) > 0.1 * forecast.Count)
            {
                (open.ExpectedAt, open.ForecastCount, open.ForecastLow, open.ForecastHigh, open.Message) =
                    (forecast.ExpectedAt, forecast.Count, forecast.Low, forecast.High, message);
                open.Version++;
                try
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                }
                catch (DbUpdateConcurrencyException)
                {
                    return;
                }
                await bus.PublishAsync(eventId, MessageTypes.AlertUpdated, Updated(open), CancellationToken.None);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The forecast no longer passes the threshold within the horizon: its alert closes by itself.</summary>
    public async Task ForecastRecededAsync(string eventId, string zoneId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await OpenQuery(db, eventId, zoneId, AlertTypes.Forecast, null).FirstOrDefaultAsync(cancellationToken);
        if (open is null)
        {
            return;
        }
        var now = time.GetUtcNow();
        (open.Status, open.ResolvedAt, open.ResolvedBy, open.RecoveredAt, open.OpenKey) = (AlertStatus.Resolved, now, System, now, null);
        open.Version++;
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            return; // changed meanwhile (acknowledged, converted): leave it to that change
        }
        await bus.PublishAsync(eventId, MessageTypes.AlertUpdated, Updated(open), CancellationToken.None);
    }

    /// <summary>
    /// Escalates every critical alert nobody acknowledged in time: one level up, sent again (webhook kind
    /// escalation and the routing table's next level), marked on every screen. Acknowledging stops it.
    /// </summary>
    public async Task<int> EscalateDueAsync(TimeSpan after, int maxLevel, Func<string, CancellationToken, ValueTask<bool>> owns, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = now - after;
        List<(string Id, string EventId)> candidates;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            candidates = [.. (await db.Alerts.AsNoTracking()
                .Where(a => a.Status == AlertStatus.Open && a.Severity == AlertSeverity.Critical && a.EscalationLevel < maxLevel
                    && (a.EscalatedAt ?? a.CreatedAt) <= due)
                .Select(a => new { a.Id, a.EventId })
                .ToListAsync(cancellationToken))
                .Select(a => (a.Id, a.EventId))];
        }
        var escalated = 0;
        foreach (var (id, eventId) in candidates)
        {
            if (!await owns(eventId, cancellationToken))
            {
                continue;
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var alert = await db.Alerts.Include(a => a.Comments).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (alert is not { Status: AlertStatus.Open, Severity: AlertSeverity.Critical })
            {
                continue;
            }
            alert.EscalationLevel++;
            alert.EscalatedAt = now;
            alert.Version++;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                continue; // acknowledged (or changed) at this very moment: no escalation
            }
            escalated++;
            await bus.PublishAsync(alert.EventId, MessageTypes.AlertUpdated, Updated(alert), CancellationToken.None);
            await outbox.EnqueueAsync(alert, NotificationKinds.Escalation, alert.EscalationLevel, CancellationToken.None);
        }
        return escalated;
    }

    /// <summary>An alert with its comments, for the shift log and the API.</summary>
    public async Task<Alert?> FindAsync(string alertId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Alerts.AsNoTracking().Include(a => a.Comments).FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken);
    }

    public static AlertNewPayload New(Alert alert)
    {
        var view = AlertView.Of(alert);
        return new(alert.Id, alert.Type, alert.Message, alert.Severity, alert.ZoneId, alert.CreatedAt) { ExpectedAt = view.ExpectedAt, Forecast = view.Forecast };
    }

    public static AlertUpdatedPayload Updated(Alert alert)
    {
        var view = AlertView.Of(alert);
        return new(alert.Id, alert.Status, alert.Severity, alert.Message, alert.ResolvedAt, alert.AcknowledgedAt, alert.RecoveredAt)
        {
            Type = view.Type,
            AcknowledgedBy = view.AcknowledgedBy,
            EscalationLevel = view.EscalationLevel,
            EscalatedAt = view.EscalatedAt,
            Assignee = view.Assignee,
            ExpectedAt = view.ExpectedAt,
            Forecast = view.Forecast,
            Comments = view.Comments,
        };
    }
}

/// <summary>When a zone is expected to pass its threshold, the count expected then, and its 80 % interval.</summary>
public sealed record ZoneForecast(DateTimeOffset ExpectedAt, int Count, int Low, int High);
