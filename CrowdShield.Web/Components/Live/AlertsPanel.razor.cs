using CrowdShield.Core.Alerts;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CrowdShield.Web.Components.Live;

/// <summary>The event's active alerts, newest first, critical ones marked; a toast for each new one; acknowledge and resolve unless read-only.</summary>
public sealed partial class AlertsPanel
{
    private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.AlertNew, MessageTypes.AlertUpdated };
    private readonly Dictionary<string, AlertRow> _alerts = [];

    [Parameter] public bool ReadOnly { get; set; }
    [Parameter] public bool Large { get; set; }
    /// <summary>A toast for each new alert; off on the wall display, where a toast's close button would be something to click.</summary>
    [Parameter] public bool Toasts { get; set; } = true;

    [Inject] public required AlertService Alerts { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    private DateTimeOffset Now => Time.GetUtcNow();

    protected override async Task LoadAsync()
    {
        _alerts.Clear();
        foreach (var alert in await Alerts.ListAsync(EventId, AlertService.ActiveStatus, 200))
        {
            _alerts[alert.Id] = AlertRow.Of(alert);
        }
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        if (message.Type == MessageTypes.AlertNew)
        {
            var alert = message.Read<AlertNewPayload>();
            if (!_alerts.ContainsKey(alert.Id))
            {
                _alerts[alert.Id] = new AlertRow(alert.Id, alert.Type, alert.Message, alert.Severity, "open", alert.ZoneId, alert.CreatedAt, null, null);
                if (live && Toasts)
                {
                    Snackbar.Add($"{(alert.Severity == AlertSeverity.Critical ? "CRITICAL: " : "")}{alert.Message}",
                        alert.Severity == AlertSeverity.Critical ? Severity.Error : Severity.Warning);
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
            _alerts[update.Id] = row with { Status = update.Status, Severity = update.Severity, Message = update.Message, RecoveredAt = update.RecoveredAt };
        }
    }

    private async Task AcknowledgeAsync(string id)
    {
        var change = await ChangeAsync(id, Alerts.AcknowledgeAsync);
        if (change?.Alert is { } alert && _alerts.ContainsKey(id))
        {
            _alerts[id] = AlertRow.Of(alert);
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

    /// <summary>Acknowledge or resolve as the user is now (not as when the page opened); Core decides whether they may.</summary>
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


    private sealed record AlertRow(
        string Id, string Type, string Message, string Severity, string Status, string? ZoneId, DateTimeOffset CreatedAt,
        string? AcknowledgedBy, DateTimeOffset? RecoveredAt)
    {
        public static AlertRow Of(Alert a) => new(a.Id, a.Type, a.Message, a.Severity, a.Status, a.ZoneId, a.CreatedAt, a.AcknowledgedBy, a.RecoveredAt);
    }
}
