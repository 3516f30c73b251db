using CrowdShield.Core.Cluster;
using CrowdShield.Core.Map;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Cluster;

/// <summary>
/// Renews this node's leases every second and takes the free ones of active events, so periodic work that a dead
/// node held moves here within <see cref="ClusterOptions.LeaseTtl"/>. Gives every lease back at shutdown.
/// </summary>
internal sealed class LeaseKeeper(WorkLeases leases, LiveMap map, IOptions<ClusterOptions> options, TimeProvider time, ILogger<LeaseKeeper> logger)
    : BackgroundService
{
    /// <summary>Events with pings or counts in this window have work (flush, assessments, camera silence) to own.</summary>
    public static readonly TimeSpan ActiveWithin = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RenewEvery, time);
        do
        {
            try
            {
                await leases.RenewAsync(stoppingToken);
                await leases.EnsureAsync(WorkLeases.Retention, stoppingToken);
                foreach (var eventId in map.ActiveEvents(ActiveWithin))
                {
                    await leases.EnsureAsync(WorkLeases.ForEvent(eventId), stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Unrenewed leases lapse on their own; the work moves to a node that can reach the database.
                logger.LogWarning(ex, "Could not renew or take work leases");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAllAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not give the work leases back; they lapse within {Ttl}", options.Value.LeaseTtl);
        }
    }
}
