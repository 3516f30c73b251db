using CrowdShield.Core.Audit;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

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

/// <summary>Purges the feed, old pings and old camera history in the background.</summary>
internal sealed class RetentionService(
    IFeedStore feed, IDbContextFactory<CrowdShieldDb> dbFactory, AuditLog audit, WorkLeases leases, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                if (!await leases.EnsureAsync(WorkLeases.Retention, stoppingToken))
                {
                    continue; // another node purges for the cluster
                }
                var now = time.GetUtcNow();
                var feedRows = await feed.PurgeAsync(now - options.Value.Feed, stoppingToken);
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                var pingCutoff = now - options.Value.ExpiredPings;
                var pingRows = await db.Pings.Where(p => p.ExpiresAt < pingCutoff).ExecuteDeleteAsync(stoppingToken);
                var readingCutoff = now - options.Value.CameraReadings;
                var readingRows = await db.CameraCounts.Where(c => c.ReceivedAt < readingCutoff).ExecuteDeleteAsync(stoppingToken);
                var hourCutoff = now - options.Value.HourlyCounts;
                var hourRows = await db.HourlyCounts.Where(h => h.HourStart < hourCutoff).ExecuteDeleteAsync(stoppingToken);
                var auditRows = await audit.PurgeAsync(now - options.Value.Audit, stoppingToken);
                if (feedRows + pingRows + readingRows + hourRows + auditRows > 0)
                {
                    logger.LogInformation("Purged {Feed} feed messages, {Pings} expired pings, {Readings} camera readings, {Hours} hourly counts and {Audit} audit entries",
                        feedRows, pingRows, readingRows, hourRows, auditRows);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Retention purge failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
