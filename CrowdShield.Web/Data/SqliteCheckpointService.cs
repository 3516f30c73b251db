using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Data;

/// <summary>
/// Moves the SQLite write-ahead log into the database file every second, off the request path. PASSIVE never
/// blocks readers or writers; when the app is quiet a TRUNCATE also gives the WAL file's disk space back.
/// </summary>
internal sealed class SqliteCheckpointService(IDbContextFactory<CrowdShieldDb> dbFactory, TimeProvider time, ILogger<SqliteCheckpointService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var quietTicks = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                var connection = db.Database.GetDbConnection();
                await connection.OpenAsync(stoppingToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await using (var reader = await command.ExecuteReaderAsync(stoppingToken))
                {
                    // Columns: busy, WAL frames, frames checkpointed.
                    quietTicks = await reader.ReadAsync(stoppingToken) && reader.GetInt64(1) == reader.GetInt64(2) ? quietTicks + 1 : 0;
                }
                if (quietTicks == 30)
                {
                    command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "SQLite checkpoint failed; retrying");
            }
        }
    }
}
