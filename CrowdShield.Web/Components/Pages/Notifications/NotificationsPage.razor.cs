using CrowdShield.Core.Alerts;
using CrowdShield.Core.Notifications;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CrowdShield.Web.Components.Pages.Notifications;

/// <summary>
/// For administrators: the event's routing table (which alerts go to which webhook, address or tablets, at which
/// escalation level), with errors shown on the line they belong to, and the deliveries, failed ones first, to send again.
/// </summary>
public sealed partial class NotificationsPage
{
    private static readonly IReadOnlyList<string> AlertTypesShown = [AlertTypes.Overcrowding, AlertTypes.Density, AlertTypes.CameraOffline, AlertTypes.Forecast];

    private List<RuleRow> _rules = [];
    private IReadOnlyList<Notification> _deliveries = [];
    private IDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private string _status = NotificationStatus.Dead;
    private bool _busy;
    private bool _saved;
    private bool _loaded;

    [Inject] public required RoutingTable Routing { get; init; }
    [Inject] public required NotificationOutbox Outbox { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }

    protected override string Page => PageAccess.Notifications;

    protected override async Task OnParametersSetAsync()
    {
        await base.OnParametersSetAsync();
        if (EventDefinition is not null && !_loaded)
        {
            _loaded = true;
            _rules = [.. (await Routing.ListAsync(EventId)).Select(RuleRow.Of)];
            await LoadDeliveriesAsync();
        }
    }

    private async Task LoadDeliveriesAsync() =>
        _deliveries = await Outbox.ListAsync(EventId, string.IsNullOrEmpty(_status) ? null : _status, 200, CancellationToken.None);

    private void Add()
    {
        _rules.Add(new RuleRow { Level = 1, MinSeverity = AlertSeverity.Critical, Channel = Channels.Webhook });
        _saved = false;
    }

    private async Task SaveAsync()
    {
        if (await Users.FindAsync((await AuthenticationState).User) is not { } caller || EventDefinition is null)
        {
            Snackbar.Add("Your session has ended; sign in again.", Severity.Error);
            return;
        }
        _busy = true;
        _saved = false;
        try
        {
            var saved = await Routing.ReplaceAsync(EventDefinition, [.. _rules.Select(r => r.Input())], caller);
            _rules = [.. saved.Select(RuleRow.Of)];
            _errors = new Dictionary<string, string[]>();
            _saved = true;
        }
        catch (ValidationException ex)
        {
            _errors = ex.Errors.ToDictionary();
        }
        catch (ForbiddenException)
        {
            Snackbar.Add("You may no longer change where alerts are sent.", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RetryAsync(long id)
    {
        if (await Outbox.RetryAsync(id, CancellationToken.None) is not null)
        {
            Snackbar.Add("Queued to be sent again", Severity.Info);
            await LoadDeliveriesAsync();
        }
    }

    private string? ErrorOf(int index, string field) =>
        _errors.TryGetValue($"rules[{index}].{field}", out var messages) ? string.Join(" ", messages) : null;

    /// <summary>A line's errors on fields other than the target (shown under it, the widest cell).</summary>
    private IEnumerable<string> OtherErrors(int index) => _errors
        .Where(e => e.Key.StartsWith($"rules[{index}].", StringComparison.Ordinal) && e.Key != $"rules[{index}].target")
        .SelectMany(e => e.Value);

    private static string TargetHint(string channel) => channel switch
    {
        Channels.Webhook => "https://incident.example/hooks/crowdshield",
        Channels.Email => "duty.manager@venue.example",
        _ => string.Join(" | ", Core.Notifications.Routing.PushTargets),
    };

    /// <summary>A line being edited; the secret is write-only (shown as set or not, never read back).</summary>
    private sealed class RuleRow
    {
        public int Level { get; set; } = 1;
        public string MinSeverity { get; set; } = AlertSeverity.Critical;
        public string ZoneId { get; set; } = "";
        public string AlertType { get; set; } = "";
        public string Channel { get; set; } = Channels.Webhook;
        public string Target { get; set; } = "";
        public string Secret { get; set; } = "";
        public bool Signed { get; init; }

        public static RuleRow Of(NotificationRule r) => new()
        {
            Level = r.Level, MinSeverity = r.MinSeverity, ZoneId = r.ZoneId ?? "", AlertType = r.AlertType ?? "", Channel = r.Channel, Target = r.Target,
            Signed = r.Secret is not null,
        };

        public RoutingRuleInput Input() => new(Level, MinSeverity, ZoneId, AlertType, Channel, Target, Secret);
    }
}
