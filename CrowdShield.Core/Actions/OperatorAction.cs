namespace CrowdShield.Core.Actions;

/// <summary>A decision an operator took (open a gate, dispatch staff, announce); every screen sees it.</summary>
public sealed class OperatorAction
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string Command { get; init; }
    public string? ZoneId { get; init; }
    public string? Note { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The steward who said "on it" from a field tablet, and when.</summary>
    public string? TakenById { get; set; }
    public string? TakenBy { get; set; }
    public DateTimeOffset? TakenAt { get; set; }
}
