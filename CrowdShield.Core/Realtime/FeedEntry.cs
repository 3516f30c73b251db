namespace CrowdShield.Core.Realtime;

/// <summary>A stored real-time message: the feed that polling clients and reconnecting screens read.</summary>
public sealed class FeedEntry
{
    public required string EventId { get; init; }
    public required long Seq { get; init; }
    public required string Type { get; init; }
    /// <summary>The message exactly as sent over SignalR (UTF-8 JSON), including eventId and seq.</summary>
    public required byte[] Payload { get; init; }
    public required DateTimeOffset At { get; init; }
}
