namespace CrowdShield.Core.Actions;

// The payload of action:created, published by this feature. The message bus adds eventId and seq on the
// wire and in the feed, so no payload declares them.

public sealed record ActionCreatedPayload(
    string Id, string Command, string? ZoneId, string? Note, string CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>The steward who took it from a field tablet ("on it"); sent again as action:created when taken.</summary>
    public string? TakenBy { get; init; }
    public DateTimeOffset? TakenAt { get; init; }
}
