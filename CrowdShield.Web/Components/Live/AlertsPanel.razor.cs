using CrowdShield.Core.Alerts;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CrowdShield.Web.Components.Live;

/// <summary>
/// The event's active alerts, newest first, critical ones marked; a toast for each new one; acknowledge, resolve,
/// assign and comment unless read-only. In the command center an unacknowledged critical alert sounds the alarm.
/// </summary>
public sealed partial class AlertsPanel
{
    private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.AlertNew, MessageTypes.AlertUpdated };
    private readonly Dictionary<string, AlertView> _alerts = [];
    private string? _userId;
    private string _announcement = "";

    [Parameter] public bool ReadOnly { get; set; }
    [Parameter] public bool Large { get; set; }
    /// <summary>A toast for each new alert; off on the wall display, where a toast's close button would be something to click.</summary>
    [Parameter] public bool Toasts { get; set; } = true;
    /// <summary>The alarm in the room (the command center): a tone while a critical alert is unacknowledged, with its mute.</summary>
    [Parameter] public bool Alarm { get; set; }

    [Inject] public required AlertService Alerts { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    private DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>A critical alert nobody acknowledged yet, and not already over.</summary>
    private bool Sounding => _alerts.Values.Any(a => a.Severity == AlertSeverity.Critical && a.Status == AlertStatus.Open && a.RecoveredAt is null);

    protected override async Task LoadAsync()
    {
        _userId ??= (await CallerAsync())?.UserId;
        _alerts.Clear();
        foreach (var alert in await Alerts.ListAsync(EventId, AlertService.ActiveStatus, 200))
        {
            _alerts[alert.Id] = AlertView.Of(alert);
        }
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        if (message.Type == MessageTypes.AlertNew)
        {
            var alert = message.Read<AlertNewPayload>();
            if (!_alerts.ContainsKey(alert.Id))
            {
                _alerts[alert.Id] = new AlertView(alert.Id, EventId, alert.ZoneId, null, alert.Type, alert.Message, alert.Severity, AlertStatus.Open,
                    alert.CreatedAt, null, null, null, null, null) { ExpectedAt = alert.ExpectedAt, Forecast = alert.Forecast };
                var text = $"{(alert.Severity == AlertSeverity.Critical ? "CRITICAL: " : alert.Type == AlertTypes.Forecast ? "FORECAST: " : "")}{alert.Message}";
                if (live)
                {
                    _announcement = $"New alert. {text}";
                }
                if (live && Toasts)
                {
                    Snackbar.Add(text, alert.Severity == AlertSeverity.Critical ? Severity.Error : Severity.Warning);
                }
            }
            return;
        }
        var update = message.Read<AlertUpdatedPayload>();
        if (update.Status == AlertStatus.Resolved)
        {
            _alerts.Remove(update.Id);
        }
        else if (_alerts.TryGetValue(update.Id, out var row))
        {
            if (live && Toasts && update.EscalationLevel > row.EscalationLevel)
            {
                Snackbar.Add($"ESCALATED: {update.Message}", Severity.Error);
            }
            _alerts[update.Id] = row with
            {
                Type = update.Type ?? row.Type, Status = update.Status, Severity = update.Severity, Message = update.Message,
                RecoveredAt = update.RecoveredAt, AcknowledgedAt = update.AcknowledgedAt, AcknowledgedBy = update.AcknowledgedBy ?? row.AcknowledgedBy,
                EscalationLevel = update.EscalationLevel, EscalatedAt = update.EscalatedAt, Assignee = update.Assignee,
                ExpectedAt = update.ExpectedAt, Forecast = update.Forecast, Comments = update.Comments,
            };
        }
    }

    private async Task AcknowledgeAsync(string id)
    {
        var change = await ChangeAsync(id, Alerts.AcknowledgeAsync);
        if (change?.Alert is { } alert && _alerts.ContainsKey(id))
        {
            _alerts[id] = AlertView.Of(alert);
        }
    }

    private async Task ResolveAsync(string id)
    {
        if ((await ChangeAsync(id, Alerts.ResolveAsync))?.Alert is not null)
        {
            _alerts.Remove(id);
            Snackbar.Add("Alert resolved", Severity.Success);
        }
    }

    private async Task AssignToMeAsync(string id)
    {
        try
        {
            var change = await ChangeAsync(id, (alertId, caller, ct) => Alerts.AssignAsync(alertId, caller.UserId, caller, ct));
            if (change?.Alert is { } alert && _alerts.ContainsKey(id))
            {
                _alerts[id] = AlertView.Of(alert);
            }
        }
        catch (ValidationException)
        {
            Snackbar.Add("You can no longer take alerts of this event.", Severity.Error);
        }
    }

    private async Task<bool> CommentAsync(string id, string text)
    {
        if (text.Length > AlertComment.MaxLength)
        {
            Snackbar.Add($"A comment holds at most {AlertComment.MaxLength} characters.", Severity.Warning);
            return false;
        }
        if (await CallerAsync() is not { } caller)
        {
            Snackbar.Add("Your session has ended; sign in again.", Severity.Error);
            return false;
        }
        var (outcome, _, alert) = await Alerts.CommentAsync(id, text, caller);
        if (alert is null)
        {
            Snackbar.Add(outcome == AlertChangeOutcome.Forbidden ? "You may no longer comment on this event's alerts." : "That alert is gone.", Severity.Error);
            return false;
        }
        if (_alerts.ContainsKey(id))
        {
            _alerts[id] = AlertView.Of(alert);
        }
        return true;
    }

    /// <summary>Acknowledge, resolve or assign as the user is now (not as when the page opened); Core decides whether they may.</summary>
    private async Task<AlertChange?> ChangeAsync(string id, Func<string, Caller, CancellationToken, Task<AlertChange>> change)
    {
        if (await CallerAsync() is not { } caller)
        {
            Snackbar.Add("Your session has ended; sign in again.", Severity.Error);
            return null;
        }
        var result = await change(id, caller, CancellationToken.None);
        if (result.Outcome is AlertChangeOutcome.Forbidden or AlertChangeOutcome.NotFound)
        {
            Snackbar.Add("You may no longer change this event's alerts.", Severity.Error);
            return null;
        }
        return result;
    }
}
