using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

/// <summary>The clock of <see cref="Retention"/>: one node of the cluster purges every <see cref="RetentionOptions.Interval"/>.</summary>
internal sealed class RetentionService(Retention retention, WorkLeases leases, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger)
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
                var purged = await retention.PurgeAsync(stoppingToken);
                if (purged.Total > 0)
                {
                    logger.LogInformation("Purged {Feed} feed messages, {Pings} expired pings, {Readings} camera readings, {Hours} hourly counts and {Audit} audit entries",
                        purged.Feed, purged.Pings, purged.CameraReadings, purged.HourlyCounts, purged.Audit);
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
