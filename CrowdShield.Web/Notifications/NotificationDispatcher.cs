using System.Collections.Concurrent;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Notifications;

/// <summary>
/// Sends the outbox: each due message on its own task (a receiver that hangs holds one slot for at most
/// <see cref="NotificationOptions.AttemptTimeout"/>, never the others, never ingest), retried with exponential
/// backoff, dead after <see cref="NotificationOptions.MaxAttempts"/>. One node of a cluster sends (lease
/// "notifications"); what it had not sent when it stopped is still in the outbox for the next holder.
/// </summary>
internal sealed class NotificationDispatcher(
    IDbContextFactory<CrowdShieldDb> dbFactory, NotificationOutbox outbox, IEnumerable<INotificationSender> senders, WorkLeases leases,
    IOptions<NotificationOptions> options, TimeProvider time, ILogger<NotificationDispatcher> logger) : BackgroundService
{
    /// <summary>Deliveries in flight at once.</summary>
    public const int Concurrency = 16;
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, INotificationSender> _senders = senders.ToDictionary(s => s.Channel);
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        outbox.Queued += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (await leases.EnsureAsync(WorkLeases.Notifications, stoppingToken))
                    {
                        await StartDueAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Could not read the notification outbox; retrying");
                }
                await _wake.WaitAsync(Poll, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            outbox.Queued -= Wake;
            await Task.WhenAll(_inFlight.Values);
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task StartDueAsync(CancellationToken stoppingToken)
    {
        var free = Concurrency - _inFlight.Count;
        if (free <= 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        var busy = _inFlight.Keys.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
        var due = await db.Notifications.AsNoTracking()
            .Where(n => n.Status == NotificationStatus.Pending && n.NextAttemptAt <= now && !busy.Contains(n.Id))
            .OrderBy(n => n.NextAttemptAt).ThenBy(n => n.Id)
            .Take(free)
            .ToListAsync(stoppingToken);
        foreach (var notification in due)
        {
            _inFlight[notification.Id] = Task.Run(() => DeliverAsync(notification, stoppingToken), CancellationToken.None);
        }
    }

    private async Task DeliverAsync(Notification notification, CancellationToken stoppingToken)
    {
        try
        {
            string? error = null;
            var permanent = false;
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                attempt.CancelAfter(options.Value.AttemptTimeout);
                try
                {
                    if (!_senders.TryGetValue(notification.Channel, out var sender))
                    {
                        throw new PermanentDeliveryException($"No sender for channel '{notification.Channel}'.");
                    }
                    await sender.SendAsync(notification, attempt.Token);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return; // shutting down: the message stays pending for the next start or node
                }
                catch (OperationCanceledException)
                {
                    error = $"No answer within {options.Value.AttemptTimeout.TotalSeconds:0.#} s.";
                }
                catch (PermanentDeliveryException ex)
                {
                    (error, permanent) = (ex.Message, true);
                }
                catch (Exception ex)
                {
                    error = ex.Message;
                }
            }
            await RecordAsync(notification, error, permanent);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Recording delivery {Id} failed; it will be attempted again", notification.Id);
        }
        finally
        {
            _inFlight.TryRemove(notification.Id, out _);
            Wake();
        }
    }

    private async Task RecordAsync(Notification notification, string? error, bool permanent)
    {
        var now = time.GetUtcNow();
        var attempts = notification.Attempts + 1;
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        if (error is null)
        {
            await db.Notifications.Where(n => n.Id == notification.Id).ExecuteUpdateAsync(u => u
                .SetProperty(n => n.Status, NotificationStatus.Sent).SetProperty(n => n.Attempts, attempts).SetProperty(n => n.SentAt, now)
                .SetProperty(n => n.LastError, (string?)null));
            return;
        }
        var dead = permanent || attempts >= options.Value.MaxAttempts;
        var next = now + Backoff(attempts, options.Value.RetryBase);
        await db.Notifications.Where(n => n.Id == notification.Id).ExecuteUpdateAsync(u => u
            .SetProperty(n => n.Status, dead ? NotificationStatus.Dead : NotificationStatus.Pending)
            .SetProperty(n => n.Attempts, attempts).SetProperty(n => n.NextAttemptAt, next).SetProperty(n => n.LastError, error));
        if (dead)
        {
            logger.LogWarning("Notification {Id} ({Channel} to {Target}) is dead after {Attempts} attempts: {Error}",
                notification.Id, notification.Channel, notification.Target, attempts, error);
        }
    }

    /// <summary>base·2^(attempt−1), at most five minutes, ±20 % so that many failed messages do not retry in step.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan retryBase)
    {
        var delay = Math.Min(retryBase.TotalMilliseconds * Math.Pow(2, attempt - 1), MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}
