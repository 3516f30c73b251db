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

    public static DateTimeOffset HourOf(DateTimeOffset at) => HourOf(at, TimeZoneInfo.Utc);

    /// <summary>
    /// The start (as a UTC instant) of the venue's local hour that holds <paramref name="at"/>: roll-ups follow the
    /// venue's clock, so a half-hour time zone gets whole local hours and the weekly pattern its local weekdays.
    /// </summary>
    public static DateTimeOffset HourOf(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, local.Offset).ToUniversalTime();
    }
}
