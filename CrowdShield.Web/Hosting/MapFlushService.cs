using CrowdShield.Core.Cluster;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// Sends the pings gathered during each second as one map:update per event: the contract's rate limit for the map.
/// A map rebuilt from the database (at start, after a zone change) sends a snapshot first (see LiveMap).
/// </summary>
internal sealed class MapFlushService(LiveMap map, IMessageBus bus, WorkLeases leases, TimeProvider time, ILogger<MapFlushService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // After a restart (a crash above all) the first flush sends a snapshot of every live event.
            await map.LoadLiveAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Could not load the live maps at start; they load when first used");
        }
        // Each pass starts a full second after the previous one ended, not on a fixed tick: a late tick followed by an
        // on-time one would put two updates of an event less than a second apart (the load tool saw 958 ms).
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // One node sends each event's map:update: the one holding the event's lease (see WorkLeases).
                await map.FlushAsync(bus, (eventId, ct) => leases.EnsureAsync(WorkLeases.ForEvent(eventId), ct), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Could not send map updates");
            }
        }
    }
}
