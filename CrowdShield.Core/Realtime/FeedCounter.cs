namespace CrowdShield.Core.Realtime;

/// <summary>
/// The last seq given to an event's messages. Updated in the same transaction that stores them, so seq is
/// gap-free and the same on every node whichever node published; the row lock orders publishers of one event
/// only, never the whole cluster.
/// </summary>
public sealed class FeedCounter
{
    public required string EventId { get; init; }
    public long LastSeq { get; set; }
}
