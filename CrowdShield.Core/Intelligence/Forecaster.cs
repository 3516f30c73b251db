using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence.Forecasting;
using CrowdShield.Core.Map;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Intelligence;

/// <summary>
/// Per-zone forecasts from the history that exists. With eight days or more of hourly history (a station, a
/// multi-day festival, or weeks backfilled from a counter) the weekly model (<see cref="SeasonalForecaster"/>)
/// forecasts from the current count; with less, the short-term trend of the last half hour is carried forward,
/// damped so that a rise does not grow without bound at long horizons.
/// </summary>
public sealed class Forecaster(LiveMap map, EventDirectory events, ZoneHistory history, IOptions<MapOptions> options, TimeProvider time)
{
    public static readonly TimeSpan TrendWindow = TimeSpan.FromMinutes(30);
    /// <summary>Time constant of the trend's damping: a trend is believed for about this long.</summary>
    public const double TrendMinutes = 30;
    /// <summary>Share of the last 8 days that must have readings for the weekly model.</summary>
    public const double MinimumCoverage = 0.75;

    private readonly SeasonalForecaster _seasonal = new();

    public async Task<PredictionSet?> PredictAsync(string eventId, int horizonMinutes, CancellationToken cancellationToken = default)
    {
        var definition = await events.FindAsync(eventId, cancellationToken);
        if (definition is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var bands = options.Value.BandsFor(eventId);
        var current = (await map.ZonesAsync(eventId, cancellationToken)).ToDictionary(z => z.ZoneId);
        var recent = await history.RecentAsync(eventId, now - TrendWindow, cancellationToken);
        var hourly = await history.HourlyAsync(eventId, now, definition.TimeZone, cancellationToken);
        var predictions = new List<ZonePrediction>(definition.Zones.Count);
        foreach (var zone in definition.Zones)
        {
            var count = current.TryGetValue(zone.Id, out var z) ? z.Count : 0;
            double predicted;
            string basis;
            if (hourly.TryGetValue(zone.Id, out var series) && series.Coverage >= MinimumCoverage && _seasonal.CanForecast(series.Values.Length))
            {
                predicted = Seasonal(series.Values, count, horizonMinutes);
                basis = "weekly";
            }
            else if (recent.TryGetValue(zone.Id, out var points) && points.Count >= 2)
            {
                var slope = Trend.SlopePerMinute(points);
                predicted = count + slope * TrendMinutes * (1 - Math.Exp(-horizonMinutes / TrendMinutes));
                basis = "trend";
            }
            else
            {
                predicted = count;
                basis = "current";
            }
            var rounded = (int)Math.Round(Math.Max(0, predicted));
            var occupancy = Occupancy.Of(zone, rounded, bands);
            predictions.Add(new ZonePrediction(zone.Id, rounded, occupancy.Density, Risk.OfZone(zone, occupancy, bands), occupancy.Level, basis));
        }
        return new PredictionSet(eventId, horizonMinutes, now, predictions);
    }

    /// <summary>The weekly model from the current count, between whole hours by linear interpolation.</summary>
    private double Seasonal(double[] values, int count, int horizonMinutes)
    {
        var series = (double[])values.Clone();
        var origin = series.Length - 1;
        series[origin] = count; // the hour in progress: what is there now
        var hours = (int)Math.Ceiling(horizonMinutes / 60.0);
        var after = _seasonal.Forecast(series, origin, hours);
        var before = hours == 1 ? count : _seasonal.Forecast(series, origin, hours - 1);
        var fraction = (horizonMinutes - 60.0 * (hours - 1)) / 60.0;
        return before + (after - before) * fraction;
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
    /// <summary>The share of a zone's threshold that is full risk: the default at which its alert turns critical.</summary>
    public const double CountCriticalFactor = 1.5;

    /// <summary>
    /// 0–100: how close a zone is to danger, by whichever is nearer: dangerous density (persons/m², when the
    /// area is known) or 1.5 × the threshold its operators set (a gate's throughput, a stand's licence).
    /// </summary>
    public static int OfZone(ZoneDefinition zone, ZoneDensity occupancy, DensityBands bands)
    {
        var byCount = occupancy.Count / (CountCriticalFactor * Math.Max(1, zone.AlertThreshold));
        var load = occupancy.Density is { } density ? Math.Max(density / bands.CriticalFrom, byCount) : byCount;
        return (int)Math.Round(Math.Clamp(load, 0, 1) * 100);
    }
}
