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
        while (await timer.WaitForNextTickAsync(stoppingToken))
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
    }
}
