namespace CrowdShield.Core.Cameras;

/// <summary>One people count from one camera at one moment; the history feeds density, alerts and forecasts.</summary>
public sealed class CameraCount
{
    public long Id { get; init; }
    public required string EventId { get; init; }
    public required string ZoneId { get; init; }
    public required string CameraId { get; init; }
    public required int Count { get; init; }
    public required DateTimeOffset CapturedAt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
