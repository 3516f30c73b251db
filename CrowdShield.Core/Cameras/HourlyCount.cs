namespace CrowdShield.Core.Cameras;

/// <summary>
/// A camera's readings rolled up per hour (sum and number), kept up to date at ingest: weeks of history for
/// the weekly forecast read a few hundred rows instead of every 5-second reading.
/// </summary>
public sealed class HourlyCount
{
    public required string EventId { get; init; }
    public required string ZoneId { get; init; }
    public required string CameraId { get; init; }
    public required DateTimeOffset HourStart { get; init; }
    public double Sum { get; set; }
    public int Readings { get; set; }

    public static DateTimeOffset HourOf(DateTimeOffset at) =>
        new(at.UtcDateTime.Year, at.UtcDateTime.Month, at.UtcDateTime.Day, at.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
}
