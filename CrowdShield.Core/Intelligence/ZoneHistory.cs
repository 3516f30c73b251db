using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Intelligence;

/// <summary>A zone's hourly series for the weekly model: index 0 is <see cref="FirstHour"/>, the last index is the current hour.</summary>
public sealed record HourlySeries(DateTimeOffset FirstHour, double[] Values, double Coverage);

/// <summary>
/// Reads a zone's history as series: per 10 seconds for the short-term trend, per hour for the weekly model. A zone
/// counted by cameras is read from its cameras; a zone counted only by people counters from their occupancy.
/// </summary>
public sealed class ZoneHistory(IDbContextFactory<CrowdShieldDb> dbFactory)
{
    /// <summary>How far back the weekly model looks: its six profile weeks, plus a day.</summary>
    public static readonly TimeSpan HourlyWindow = TimeSpan.FromDays(7 * 6 + 1);

    /// <summary>Per 10 seconds, the last count of each camera summed over the zone's cameras: a trend within a minute of data.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset At, double Count)>>> RecentAsync(
        string eventId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.CameraCounts.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt >= since)
            .Select(c => new { c.ZoneId, c.CameraId, c.CapturedAt, c.Count })
            .ToListAsync(cancellationToken);
        var series = rows
            .GroupBy(r => r.ZoneId)
            .ToDictionary(
                z => z.Key,
                z => (IReadOnlyList<(DateTimeOffset, double)>)z
                    .GroupBy(r => r.CapturedAt.ToUnixTimeSeconds() / 10)
                    .OrderBy(m => m.Key)
                    .Select(m => (DateTimeOffset.FromUnixTimeSeconds(m.Key * 10),
                        (double)m.GroupBy(r => r.CameraId).Sum(c => c.MaxBy(r => r.CapturedAt)!.Count)))
                    .ToList());
        var counted = await db.Crossings.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt >= since)
            .Select(c => new { c.ZoneId, c.CapturedAt, c.OccupancyAfter, c.Id })
            .ToListAsync(cancellationToken);
        foreach (var zone in counted.GroupBy(c => c.ZoneId).Where(z => !series.ContainsKey(z.Key)))
        {
            series[zone.Key] = [.. zone.GroupBy(c => c.CapturedAt.ToUnixTimeSeconds() / 10).OrderBy(m => m.Key)
                .Select(m => (DateTimeOffset.FromUnixTimeSeconds(m.Key * 10), (double)m.MaxBy(c => c.Id)!.OccupancyAfter))];
        }
        return series;
    }

    /// <summary>
    /// A zone's count over a window in <paramref name="buckets"/> equal steps (a shift log's chart): per step, the
    /// last reading of each camera summed over the zone's cameras, or else the counters' last occupancy. Steps
    /// without readings are left out. Raw readings are kept for Retention:CameraReadings (14 days by default).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset At, double Count)>>> WindowAsync(
        string eventId, DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken)
    {
        var step = Math.Max(10_000, (to - from).TotalMilliseconds / Math.Max(1, buckets));
        long Bucket(DateTimeOffset at) => (long)((at - from).TotalMilliseconds / step);
        DateTimeOffset Start(long bucket) => from.AddMilliseconds(bucket * step);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.CameraCounts.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt >= from && c.CapturedAt <= to)
            .Select(c => new { c.ZoneId, c.CameraId, c.CapturedAt, c.Count })
            .ToListAsync(cancellationToken);
        var series = rows.GroupBy(r => r.ZoneId).ToDictionary(
            z => z.Key,
            z => (IReadOnlyList<(DateTimeOffset, double)>)[.. z.GroupBy(r => Bucket(r.CapturedAt)).OrderBy(b => b.Key)
                .Select(b => (Start(b.Key), (double)b.GroupBy(r => r.CameraId).Sum(c => c.MaxBy(r => r.CapturedAt)!.Count)))]);
        var counted = await db.Crossings.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt >= from && c.CapturedAt <= to)
            .Select(c => new { c.ZoneId, c.CapturedAt, c.OccupancyAfter, c.Id })
            .ToListAsync(cancellationToken);
        foreach (var zone in counted.GroupBy(c => c.ZoneId).Where(z => !series.ContainsKey(z.Key)))
        {
            series[zone.Key] = [.. zone.GroupBy(c => Bucket(c.CapturedAt)).OrderBy(b => b.Key)
                .Select(b => (Start(b.Key), (double)b.MaxBy(c => c.Id)!.OccupancyAfter))];
        }
        return series;
    }

    /// <summary>
    /// Per hour of the venue's clock up to <paramref name="now"/>'s hour: the mean reading of each camera, summed
    /// over the zone's cameras. The series runs in local wall-clock hours, so a week is always 168 steps and the
    /// weekly pattern keeps its hours across daylight-saving changes (the repeated autumn hour is averaged, the
    /// skipped spring hour filled). Hours without readings are filled from the same hour a week (or a day)
    /// earlier, else linearly; <see cref="HourlySeries.Coverage"/> says which share of the last 8 days was measured.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, HourlySeries>> HourlyAsync(string eventId, DateTimeOffset now, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var current = WallHour(now, zone);
        var since = now - HourlyWindow - TimeSpan.FromHours(1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.HourlyCounts.AsNoTracking()
            .Where(h => h.EventId == eventId && h.HourStart >= since && h.HourStart <= now)
            .ToListAsync(cancellationToken);
        var result = new Dictionary<string, HourlySeries>();
        foreach (var byZone in rows.GroupBy(r => r.ZoneId))
        {
            // Local wall-clock hours: (year, month, day, hour) on the venue's clock, whatever the UTC offset then.
            // Cameras when the hour has them, else the counters' occupancy: the same people are not counted twice.
            var hours = byZone.GroupBy(r => (Wall: WallHour(r.HourStart, zone), r.HourStart))
                .Select(h => (h.Key.Wall, Value: (h.Any(r => r.CameraId != Counters.CrossingIngest.CountersReading)
                    ? h.Where(r => r.CameraId != Counters.CrossingIngest.CountersReading) : h).Sum(r => r.Sum / Math.Max(1, r.Readings))))
                .Where(h => h.Wall <= current)
                .GroupBy(h => h.Wall)
                .ToDictionary(h => h.Key, h => h.Average(x => x.Value));
            if (hours.Count == 0)
            {
                continue;
            }
            var first = hours.Keys.Min();
            var length = (int)(current - first).TotalHours + 1;
            var values = new double[length];
            Array.Fill(values, double.NaN);
            foreach (var (wall, value) in hours)
            {
                values[(int)(wall - first).TotalHours] = value;
            }
            var recent = Math.Min(length, 8 * 24);
            var measured = values.AsSpan(length - recent).ToArray().Count(v => !double.IsNaN(v));
            Fill(values);
            var firstInstant = new DateTimeOffset(first, zone.GetUtcOffset(first));
            result[byZone.Key] = new HourlySeries(firstInstant, values, (double)measured / (8 * 24));
        }
        return result;
    }

    /// <summary>The wall-clock hour on the venue's clock that holds <paramref name="at"/> (a DateTime of kind Unspecified).</summary>
    private static DateTime WallHour(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
        return new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified);
    }

    private static void Fill(double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsNaN(values[i]))
            {
                continue;
            }
            if (i >= 168 && !double.IsNaN(values[i - 168]))
            {
                values[i] = values[i - 168];
            }
            else if (i >= 24 && !double.IsNaN(values[i - 24]))
            {
                values[i] = values[i - 24];
            }
            else
            {
                var previous = i > 0 ? values[i - 1] : double.NaN;
                var next = Array.FindIndex(values, i, v => !double.IsNaN(v));
                values[i] = (double.IsNaN(previous), next < 0) switch
                {
                    (false, true) => previous,
                    (true, false) => values[next],
                    (false, false) => previous + (values[next] - previous) / (next - i + 1),
                    _ => 0,
                };
            }
        }
    }
}
