using CrowdShield.Core.Alerts;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Log;

/// <summary>One line of the shift log: something that happened, when, where, by whom.</summary>
public sealed record ShiftLogEntry(DateTimeOffset At, string Kind, string? ZoneId, string? Zone, string? Who, string Text, string? Severity, string RefId);

/// <summary>A zone's count over the window, for the log's chart.</summary>
public sealed record ZoneSeries(string ZoneId, string Name, int Threshold, IReadOnlyList<(DateTimeOffset At, double Count)> Points);

/// <summary>What the shift log of a window holds: its lines, the alerts they come from, and the zone counts.</summary>
public sealed record ShiftLogData(
    EventDefinition Event, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ShiftLogEntry> Entries, IReadOnlyList<AlertView> Alerts,
    IReadOnlyList<ZoneSeries> Counts);

/// <summary>Which lines of the window to show: kinds (none: all), one zone, words in the text or the author.</summary>
public sealed record ShiftLogFilter(IReadOnlySet<string>? Kinds = null, string? ZoneId = null, string? Search = null)
{
    public bool Matches(ShiftLogEntry entry) =>
        (Kinds is not { Count: > 0 } || Kinds.Contains(entry.Kind))
        && (ZoneId is null || entry.ZoneId == ZoneId)
        && (string.IsNullOrWhiteSpace(Search)
            || entry.Text.Contains(Search, StringComparison.OrdinalIgnoreCase)
            || (entry.Who?.Contains(Search, StringComparison.OrdinalIgnoreCase) ?? false)
            || (entry.Zone?.Contains(Search, StringComparison.OrdinalIgnoreCase) ?? false));
}

public static class ShiftLogKinds
{
    public const string Alert = "alert";
    public const string Escalated = "escalated";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";
    public const string Comment = "comment";
    public const string Action = "action";
    public const string Taken = "taken";
    public const string Report = "report";

    public static readonly IReadOnlyList<string> All = [Alert, Escalated, Acknowledged, Resolved, Comment, Action, Taken, Report];
}

/// <summary>
/// The record the next shift and the safety officer read: for a window, every alert raised, escalated,
/// acknowledged and resolved, every comment, action (and who took it) and field report, in time order, with
/// the zone counts over the window. Read by the log page and the CSV and PDF exports.
/// </summary>
public sealed class ShiftLog(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, ZoneHistory history)
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);
    /// <summary>Points per zone in the chart.</summary>
    public const int ChartSteps = 96;

    /// <exception cref="ValidationException">The window is empty, reversed or longer than <see cref="MaxWindow"/> (fields from, to).</exception>
    /// <exception cref="ForbiddenException">The caller may not read the log (viewers, field staff, devices).</exception>
    /// <returns>Null when the event does not exist or the caller may not see it.</returns>
    public async Task<ShiftLogData?> ReadAsync(
        string eventId, DateTimeOffset from, DateTimeOffset to, ShiftLogFilter filter, Caller caller, CancellationToken cancellationToken = default)
    {
        if (to <= from)
        {
            throw ValidationException.For("to", "'to' must be after 'from'.");
        }
        if (to - from > MaxWindow)
        {
            throw ValidationException.For("from", $"The window may be at most {MaxWindow.TotalDays:0} days long.");
        }
        var definition = await events.FindAsync(eventId, cancellationToken);
        if (definition is null || !caller.CanSee(eventId))
        {
            return null;
        }
        if (!caller.MayOperate(eventId))
        {
            throw new ForbiddenException($"A {caller.Role} may not read the shift log.");
        }
        string? ZoneName(string? zoneId) => zoneId is null ? null : definition.FindZone(zoneId)?.Name ?? zoneId;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Every alert alive in the window; comments in the window on any of the event's alerts.
        var alerts = await db.Alerts.AsNoTracking().Include(a => a.Comments)
            .Where(a => a.EventId == eventId && a.CreatedAt <= to && (a.ResolvedAt == null || a.ResolvedAt >= from))
            .AsSplitQuery().ToListAsync(cancellationToken);
        var entries = new List<ShiftLogEntry>();
        bool In(DateTimeOffset? at) => at is { } t && t >= from && t <= to;
        foreach (var a in alerts)
        {
            var zone = ZoneName(a.ZoneId);
            var assignee = a.AssigneeName is null ? "" : $" (assigned to {a.AssigneeName})";
            if (In(a.CreatedAt))
            {
                entries.Add(new(a.CreatedAt, ShiftLogKinds.Alert, a.ZoneId, zone, AlertService.System, $"{a.Type}: {a.Message}{assignee}", a.Severity, a.Id));
            }
            if (In(a.EscalatedAt))
            {
                entries.Add(new(a.EscalatedAt!.Value, ShiftLogKinds.Escalated, a.ZoneId, zone, AlertService.System,
                    $"Not acknowledged: escalated to level {a.EscalationLevel}. {a.Message}", a.Severity, a.Id));
            }
            if (In(a.AcknowledgedAt))
            {
                entries.Add(new(a.AcknowledgedAt!.Value, ShiftLogKinds.Acknowledged, a.ZoneId, zone, a.AcknowledgedBy, a.Message, a.Severity, a.Id));
            }
            if (In(a.ResolvedAt))
            {
                entries.Add(new(a.ResolvedAt!.Value, ShiftLogKinds.Resolved, a.ZoneId, zone, a.ResolvedBy, a.Message, a.Severity, a.Id));
            }
            entries.AddRange(a.Comments.Where(c => In(c.At)).Select(c => new ShiftLogEntry(c.At, ShiftLogKinds.Comment, a.ZoneId, zone, c.Author, c.Text, a.Severity, a.Id)));
        }
        var actions = await db.Actions.AsNoTracking()
            .Where(a => a.EventId == eventId && ((a.CreatedAt >= from && a.CreatedAt <= to) || (a.TakenAt >= from && a.TakenAt <= to)))
            .ToListAsync(cancellationToken);
        foreach (var a in actions)
        {
            var text = a.Note is null ? a.Command : $"{a.Command}: {a.Note}";
            if (In(a.CreatedAt))
            {
                entries.Add(new(a.CreatedAt, ShiftLogKinds.Action, a.ZoneId, ZoneName(a.ZoneId), a.CreatedBy, text, null, a.Id));
            }
            if (In(a.TakenAt))
            {
                entries.Add(new(a.TakenAt!.Value, ShiftLogKinds.Taken, a.ZoneId, ZoneName(a.ZoneId), a.TakenBy, $"On it: {a.Command}", null, a.Id));
            }
        }
        var reports = await db.Reports.AsNoTracking()
            .Where(r => r.EventId == eventId && r.CreatedAt >= from && r.CreatedAt <= to)
            .ToListAsync(cancellationToken);
        entries.AddRange(reports.Select(r => new ShiftLogEntry(r.CreatedAt, ShiftLogKinds.Report, r.ZoneId, ZoneName(r.ZoneId), r.CreatedBy, $"{r.Type}: {r.Message}", null, r.Id)));

        var filtered = entries.Where(filter.Matches).OrderBy(e => e.At).ThenBy(e => ShiftLogKinds.All.ToList().IndexOf(e.Kind)).ToList();
        var shown = filtered.Where(e => e.Kind is not (ShiftLogKinds.Action or ShiftLogKinds.Taken or ShiftLogKinds.Report)).Select(e => e.RefId).ToHashSet();
        var window = await history.WindowAsync(eventId, from, to, ChartSteps, cancellationToken);
        var counts = definition.Zones
            .Where(z => filter.ZoneId is null || z.Id == filter.ZoneId)
            .Select(z => new ZoneSeries(z.Id, z.Name, z.AlertThreshold, window.GetValueOrDefault(z.Id) ?? []))
            .ToList();
        return new ShiftLogData(definition, from, to, filtered,
            [.. alerts.Where(a => shown.Contains(a.Id)).OrderBy(a => a.CreatedAt).Select(AlertView.Of)], counts);
    }
}
