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
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Purges the feed and old pings in the background.</summary>
internal sealed class RetentionService(
    IFeedStore feed, IDbContextFactory<CrowdShieldDb> dbFactory, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                var feedRows = await feed.PurgeAsync(now - options.Value.Feed, stoppingToken);
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                var pingCutoff = now - options.Value.ExpiredPings;
                var pingRows = await db.Pings.Where(p => p.ExpiresAt < pingCutoff).ExecuteDeleteAsync(stoppingToken);
                if (feedRows + pingRows > 0)
                {
                    logger.LogInformation("Purged {Feed} feed messages and {Pings} expired pings", feedRows, pingRows);
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
