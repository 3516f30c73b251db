using CrowdShield.Core.Alerts;
using CrowdShield.Core.Data;
using CrowdShield.Core.Diagnostics;
using CrowdShield.Core.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Cameras;

/// <summary>
/// Finds cameras that stopped reporting. A camera counts as live when its recent reports come at most five
/// minutes apart (an hourly counter is never "silent" between its reports); it is silent when nothing came for
/// max(<see cref="AlertOptions.CameraSilence"/>, 3 × its usual interval).
/// </summary>
public sealed class CameraWatch(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, AlertService alerts, IOptions<AlertOptions> options,
    CrowdShieldMetrics metrics, TimeProvider time)
{
    private static readonly TimeSpan Lookback = TimeSpan.FromHours(1);
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMinutes(5);

    /// <summary>Raises a silence alert for every silent camera of an event this node <paramref name="owns"/> (holds the lease of, so a cluster raises each silence once).</summary>
    public async Task CheckAsync(Func<string, CancellationToken, ValueTask<bool>> owns, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now - Lookback;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cameras = await db.CameraCounts.AsNoTracking()
            .Where(c => c.ReceivedAt >= since)
            .GroupBy(c => new { c.EventId, c.ZoneId, c.CameraId })
            .Select(g => new { g.Key.EventId, g.Key.ZoneId, g.Key.CameraId, Reports = g.Count(), First = g.Min(c => c.ReceivedAt), Last = g.Max(c => c.ReceivedAt) })
            .ToListAsync(cancellationToken);
        var silent = 0;
        foreach (var camera in cameras.Where(c => c.Reports >= 3))
        {
            var interval = (camera.Last - camera.First) / (camera.Reports - 1);
            if (interval > LiveInterval)
            {
                continue;
            }
            var silentAfter = TimeSpan.FromTicks(Math.Max(options.Value.CameraSilence.Ticks, 3 * interval.Ticks));
            var silentFor = now - camera.Last;
            if (silentFor > silentAfter && await owns(camera.EventId, cancellationToken)
                && await events.FindAsync(camera.EventId, cancellationToken) is { } definition)
            {
                silent++;
                var zoneName = definition.FindZone(camera.ZoneId)?.Name ?? camera.ZoneId;
                await alerts.CameraSilentAsync(camera.EventId, camera.ZoneId, zoneName, camera.CameraId, silentFor, cancellationToken);
            }
        }
        metrics.CamerasSilent(silent);
    }
}
