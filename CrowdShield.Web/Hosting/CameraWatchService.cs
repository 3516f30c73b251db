using CrowdShield.Core.Cameras;
using CrowdShield.Core.Cluster;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// The clock of <see cref="CameraWatch"/>: every <see cref="CheckEvery"/> each event's cameras are checked for
/// silence by the node that holds the event's lease, so a cluster raises each silence once.
/// </summary>
internal sealed class CameraWatchService(CameraWatch cameras, WorkLeases leases, TimeProvider time, ILogger<CameraWatchService> logger) : BackgroundService
{
    /// <summary>Often enough to see a silence well within the 2 minutes that make one (AlertOptions.CameraSilence).</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        // First at start: a node that takes over sees silent cameras at once, and the check's one-time costs (query
        // compilation) are paid while the node starts, not under its first load.
        do
        {
            try
            {
                await cameras.CheckAsync((eventId, ct) => leases.EnsureAsync(WorkLeases.ForEvent(eventId), ct), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Checking cameras for silence failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
