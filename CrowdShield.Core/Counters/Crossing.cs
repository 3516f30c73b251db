namespace CrowdShield.Core.Counters;

/// <summary>What a line-crossing people counter saw since its previous message: people in and out of a zone.</summary>
public sealed class Crossing
{
    public long Id { get; init; }
    public required string EventId { get; init; }
    public required string ZoneId { get; init; }
    public required string CounterId { get; init; }
    public required int In { get; init; }
    public required int Out { get; init; }
    public required DateTimeOffset CapturedAt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    /// <summary>The zone's occupancy right after this message: the counters' series for trends and forecasts.</summary>
    public int OccupancyAfter { get; init; }
}

/// <summary>A zone's occupancy from its counters: entries minus exits, never below zero, recalibrated by operators.</summary>
public sealed class ZoneOccupancy
{
    public required string EventId { get; init; }
    public required string ZoneId { get; init; }
    public int Occupancy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The last cumulative totals a counter that reports totals since its reset (Axis) sent, to turn them into crossings.</summary>
public sealed class CounterState
{
    public required string EventId { get; init; }
    public required string CounterId { get; init; }
    public long LastIn { get; set; }
    public long LastOut { get; set; }
    public DateTimeOffset LastAt { get; set; }
}
