using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Notifications;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Notifications;

/// <summary>
/// Escalates critical alerts nobody acknowledged within Notifications:EscalateAfter, checking often enough that
/// an escalation is at most a quarter of that late. Each event's alerts are escalated by the node holding the event.
/// </summary>
internal sealed class EscalationService(AlertService alerts, WorkLeases leases, IOptions<NotificationOptions> options, TimeProvider time, ILogger<EscalationService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var after = options.Value.EscalateAfter;
        var every = TimeSpan.FromMilliseconds(Math.Clamp(after.TotalMilliseconds / 4, 250, 5_000));
        using var timer = new PeriodicTimer(every, time);
        // First at start: escalations that fell due while no node held the event go out at once (and the check's
        // one-time costs are paid while the node starts, not under its first load).
        do
        {
            try
            {
                await alerts.EscalateDueAsync(after, options.Value.MaxEscalationLevel,
                    (eventId, ct) => leases.EnsureAsync(WorkLeases.ForEvent(eventId), ct), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Escalation check failed; retrying");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
