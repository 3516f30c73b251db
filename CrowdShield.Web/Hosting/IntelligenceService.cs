using CrowdShield.Core.Cluster;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Web.Intelligence;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// The clock of the periodic intelligence work: every <see cref="AiOptions.Interval"/> each active event is reassessed
/// by the node that holds its lease (what is sent and when is <see cref="IntelligencePublisher"/>'s decision).
/// </summary>
internal sealed class IntelligenceService(
    LiveMap map, IntelligencePublisher publisher, WorkLeases leases,
    IOptions<AiOptions> options, TimeProvider time, ILogger<IntelligenceService> logger) : BackgroundService
{
    public static readonly TimeSpan ActiveWithin = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // Once per cluster: each event is assessed by the node that holds its lease.
                foreach (var eventId in map.ActiveEvents(ActiveWithin))
                {
                    if (await leases.EnsureAsync(WorkLeases.ForEvent(eventId), stoppingToken))
                    {
                        await publisher.ReassessAsync(eventId, stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Background assessment failed; retrying at the next interval");
            }
        }
    }
}
