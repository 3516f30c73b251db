using CrowdShield.Web.Auth;

namespace CrowdShield.Web.Realtime;

/// <summary>
/// Closes open hub connections whose caller may no longer read their event: deleted, disabled, demoted to a device,
/// removed from the event, a password changed or a sign-out since the token was issued, or the token expired.
/// A check every few seconds plus the directory's 15-second cache keeps it within 20 seconds of the change.
/// </summary>
internal sealed class HubAuthorityMonitor(HubConnections connections, UserDirectory users, TimeProvider time, ILogger<HubAuthorityMonitor> logger)
    : BackgroundService
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(4);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var open in connections.All.ToList())
            {
                try
                {
                    var caller = await users.FindAsync(open.User, stoppingToken);
                    var expired = open.User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, out var seconds)
                        && DateTimeOffset.FromUnixTimeSeconds(seconds) <= time.GetUtcNow();
                    if (caller?.MayRead(open.EventId) != true || expired)
                    {
                        logger.LogInformation("Closing hub connection {ConnectionId} of {User} to event {EventId}: its authority ended",
                            open.Context.ConnectionId, open.User.FindFirst(UserClaims.Email)?.Value, open.EventId);
                        connections.Remove(open.Context.ConnectionId);
                        open.Context.Abort();
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database may be away: keep the connection until its authority can be checked.
                    logger.LogWarning(ex, "Could not check hub connection {ConnectionId}", open.Context.ConnectionId);
                }
            }
        }
    }
}
