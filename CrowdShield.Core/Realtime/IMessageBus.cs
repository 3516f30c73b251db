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

/// <summary>A message on its way into the feed, before it has a seq.</summary>
public sealed record FeedDraft(string EventId, string Type, object Payload);

/// <summary>Where the feed lives: the application database (SQLite or PostgreSQL).</summary>
public interface IFeedStore
{
    /// <summary>
    /// Gives each draft the next seq of its event and stores it, all in one transaction: <paramref name="compose"/>
    /// turns a draft and its seq into the stored entry. Seqs are gap-free per event across every node, because the
    /// counter that hands them out is committed with the entries or not at all.
    /// </summary>
    /// <returns>The stored entries, in the order of <paramref name="drafts"/>.</returns>
    Task<IReadOnlyList<FeedEntry>> AppendAsync(IReadOnlyList<FeedDraft> drafts, Func<FeedDraft, long, FeedEntry> compose, CancellationToken cancellationToken);

    /// <summary>The last seq stored for <paramref name="eventId"/> (0 before its first message).</summary>
    Task<long> GetLastSeqAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>The last seq of every event that has messages.</summary>
    Task<IReadOnlyDictionary<string, long>> GetLastSeqsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<FeedEntry>> ReadAsync(string eventId, long after, int limit, CancellationToken cancellationToken);

    Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
