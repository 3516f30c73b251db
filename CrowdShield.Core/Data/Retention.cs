using CrowdShield.Core.Audit;
using CrowdShield.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Data;

/// <summary>Configuration section "Retention".</summary>
public sealed class RetentionOptions
{
    /// <summary>The contract promises at least one hour of feed; two leave room for a long reconnect.</summary>
    public TimeSpan Feed { get; set; } = TimeSpan.FromHours(2);
    /// <summary>Expired pings are kept this long after expiry for after-action review.</summary>
    public TimeSpan ExpiredPings { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Raw camera readings; the hourly roll-ups keep the history the forecasts need.</summary>
    public TimeSpan CameraReadings { get; set; } = TimeSpan.FromDays(14);
    /// <summary>Hourly roll-ups: the weekly model looks back six weeks.</summary>
    public TimeSpan HourlyCounts { get; set; } = TimeSpan.FromDays(7 * 10);
    /// <summary>The audit log: at least 90 days, so a season's incidents can be reviewed.</summary>
    public TimeSpan Audit { get; set; } = TimeSpan.FromDays(400);
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>What one purge removed.</summary>
public sealed record Purged(int Feed, int Pings, int CameraReadings, int HourlyCounts, int Audit)
{
    public int Total => Feed + Pings + CameraReadings + HourlyCounts + Audit;
}

/// <summary>
/// Removes what is older than <see cref="RetentionOptions"/> keeps: feed messages (their events' counters stay, so seq
/// never restarts), pings long expired, raw camera readings, old hourly roll-ups and old audit entries.
/// </summary>
public sealed class Retention(IFeedStore feed, IDbContextFactory<CrowdShieldDb> dbFactory, AuditLog audit, IOptions<RetentionOptions> options, TimeProvider time)
{
    public async Task<Purged> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var keep = options.Value;
        var now = time.GetUtcNow();
        var feedRows = await feed.PurgeAsync(now - keep.Feed, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pingCutoff = now - keep.ExpiredPings;
        var pingRows = await db.Pings.Where(p => p.ExpiresAt < pingCutoff).ExecuteDeleteAsync(cancellationToken);
        var readingCutoff = now - keep.CameraReadings;
        var readingRows = await db.CameraCounts.Where(c => c.ReceivedAt < readingCutoff).ExecuteDeleteAsync(cancellationToken);
        var hourCutoff = now - keep.HourlyCounts;
        var hourRows = await db.HourlyCounts.Where(h => h.HourStart < hourCutoff).ExecuteDeleteAsync(cancellationToken);
        var auditRows = await audit.PurgeAsync(now - keep.Audit, cancellationToken);
        return new Purged(feedRows, pingRows, readingRows, hourRows, auditRows);
    }
}
