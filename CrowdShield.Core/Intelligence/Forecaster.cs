using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Intelligence;

/// <summary>
/// Per-zone forecasts: the zone's current occupancy carried forward along its recent trend (least squares over
/// the last half hour of per-minute counts). A first model; the crowd-intelligence work replaces it.
/// </summary>
public sealed class Forecaster(LiveMap map, VenueDirectory venues, ZoneHistory history, IOptions<MapOptions> options, TimeProvider time)
{
    public static readonly TimeSpan TrendWindow = TimeSpan.FromMinutes(30);

    public async Task<PredictionSet?> PredictAsync(string eventId, int horizonMinutes, CancellationToken cancellationToken = default)
    {
        var venue = await venues.FindAsync(eventId, cancellationToken);
        if (venue is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var current = (await map.ZonesAsync(eventId, cancellationToken)).ToDictionary(z => z.ZoneId);
        var series = await history.RecentAsync(eventId, now - TrendWindow, cancellationToken);
        var predictions = new List<ZonePrediction>(venue.Zones.Count);
        foreach (var zone in venue.Zones)
        {
            var count = current.TryGetValue(zone.Id, out var z) ? z.Count : 0;
            var slopePerMinute = series.TryGetValue(zone.Id, out var points) ? Trend.SlopePerMinute(points) : 0;
            var predicted = (int)Math.Round(Math.Max(0, count + slopePerMinute * horizonMinutes));
            var occupancy = Occupancy.Of(zone, predicted, options.Value.Bands);
            predictions.Add(new ZonePrediction(zone.Id, predicted, occupancy.Density, Risk.OfZone(zone, occupancy, options.Value.Bands), occupancy.Level));
        }
        return new PredictionSet(eventId, horizonMinutes, now, predictions);
    }
}

public static class Trend
{
    /// <summary>Least-squares slope of a series in units per minute; 0 with fewer than two points.</summary>
    public static double SlopePerMinute(IReadOnlyList<(DateTimeOffset At, double Count)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }
        var t0 = points[0].At;
        double n = points.Count, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var (at, count) in points)
        {
            var x = (at - t0).TotalMinutes;
            sx += x;
            sy += count;
            sxx += x * x;
            sxy += x * count;
        }
        var denominator = n * sxx - sx * sx;
        return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
    }
}

public static class Risk
{
    /// <summary>0–100: how close a zone is to dangerous density (or, without an area, to twice its threshold).</summary>
    public static int OfZone(VenueZone zone, ZoneDensity occupancy, DensityBands bands)
    {
        var load = occupancy.Density is { } density
            ? density / bands.CriticalFrom
            : occupancy.Count / (1.5 * Math.Max(1, zone.AlertThreshold));
        return (int)Math.Round(Math.Clamp(load, 0, 1) * 100);
    }
}
