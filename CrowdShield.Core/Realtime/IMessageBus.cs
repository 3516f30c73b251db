namespace CrowdShield.Core.Realtime;

/// <summary>
/// The one path every change takes to the screens: publish assigns the per-event seq, stores the message in
/// the feed and fans it out. Publishers only ever see this interface, so a Redis-backed bus for several
/// nodes replaces the implementation, not the callers.
/// </summary>
public interface IMessageBus
{
    /// <summary>Completes once the message is stored in the feed with its seq; fan-out happens after that and never blocks the caller.</summary>
    Task<RealtimeMessage> PublishAsync(string eventId, string type, object payload, CancellationToken cancellationToken = default);

    /// <summary>Receives every message of <paramref name="eventId"/> published after this call, in seq order. Dispose to stop.</summary>
    IDisposable Subscribe(string eventId, Func<RealtimeMessage, Task> handler);
}

/// <summary>An outbound transport that receives every message of every event (the SignalR bridge, later a Redis publisher).</summary>
public interface IRealtimeSink
{
    Task DeliverAsync(RealtimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Where the feed lives: the database in production, anything in tests.</summary>
public interface IFeedStore
{
    Task AppendAsync(IReadOnlyList<FeedEntry> entries, CancellationToken cancellationToken);
    Task<long> GetLastSeqAsync(string eventId, CancellationToken cancellationToken);
    Task<IReadOnlyList<FeedEntry>> ReadAsync(string eventId, long after, int limit, CancellationToken cancellationToken);
    Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
