using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence.Forecasting;
using CrowdShield.Core.Map;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Intelligence;

/// <summary>
/// Per-zone forecasts from the history that exists. With eight days or more of hourly history (a station, a
/// multi-day festival, or weeks backfilled from a counter) the weekly model (<see cref="SeasonalForecaster"/>)
/// forecasts from the current count; with less, the short-term trend of the last half hour is carried forward,
/// damped so that a rise does not grow without bound at long horizons. Both come with an 80 % interval taken
/// from their own errors on the history they were fitted on.
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
        if (await ModelsAsync(eventId, cancellationToken) is not { } models)
        {
            return null;
        }
        var bands = options.Value.BandsFor(eventId);
        var predictions = new List<ZonePrediction>(models.Zones.Count);
        foreach (var (zone, model) in models.Zones)
        {
            var rounded = (int)Math.Round(Math.Max(0, model.At(horizonMinutes).Mean));
            var occupancy = Occupancy.Of(zone, rounded, bands);
            predictions.Add(new ZonePrediction(zone.Id, rounded, occupancy.Density, Risk.OfZone(zone, occupancy, bands), occupancy.Level, model.Basis));
        }
        return new PredictionSet(eventId, horizonMinutes, models.At, predictions);
    }

    /// <summary>
    /// Minute by minute over <paramref name="horizon"/>, each zone's forecast with its 80 % interval: what forecast
    /// alerts decide on. Only zones with a reading captured within <paramref name="liveWithin"/> have an outlook, so
    /// history alone (a backfill) never produces one.
    /// </summary>
    public async Task<IReadOnlyList<ZoneOutlook>> OutlookAsync(string eventId, TimeSpan horizon, TimeSpan liveWithin, CancellationToken cancellationToken = default)
    {
        if (await ModelsAsync(eventId, cancellationToken) is not { } models)
        {
            return [];
        }
        var minutes = Math.Max(1, (int)Math.Round(horizon.TotalMinutes));
        return [.. models.Zones
            .Where(z => z.Model.LastReading is { } last && last >= models.At - liveWithin)
            .Select(z => new ZoneOutlook(z.Zone.Id, z.Model.Count, models.At, z.Model.Basis,
                [.. Enumerable.Range(1, minutes).Select(m => z.Model.At(m) with { Minutes = m })]))];
    }

    private async Task<(DateTimeOffset At, List<(ZoneDefinition Zone, ZoneModel Model)> Zones)?> ModelsAsync(string eventId, CancellationToken cancellationToken)
    {
        var definition = await events.FindAsync(eventId, cancellationToken);
        if (definition is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var current = (await map.ZonesAsync(eventId, cancellationToken)).ToDictionary(z => z.ZoneId);
        var recent = await history.RecentAsync(eventId, now - TrendWindow, cancellationToken);
        var hourly = await history.HourlyAsync(eventId, now, definition.TimeZone, cancellationToken);
        var zones = new List<(ZoneDefinition, ZoneModel)>(definition.Zones.Count);
        foreach (var zone in definition.Zones)
        {
            var count = current.TryGetValue(zone.Id, out var z) ? z.Count : 0;
            var points = recent.GetValueOrDefault(zone.Id);
            DateTimeOffset? last = points is { Count: > 0 } ? points[^1].At : null;
            ZoneModel model;
            if (hourly.TryGetValue(zone.Id, out var series) && series.Coverage >= MinimumCoverage && _seasonal.CanForecast(series.Values.Length))
            {
                model = Weekly(series.Values, count, last);
            }
            else if (points is { Count: >= 2 })
            {
                model = ZoneModel.FromTrend(points, count, last);
            }
            else
            {
                model = new ZoneModel("current", count, last, _ => new OutlookPoint(0, count, count, count));
            }
            zones.Add((zone, model));
        }
        return (now, zones);
    }

    private ZoneModel Weekly(double[] values, int count, DateTimeOffset? last) => new("weekly", count, last, Outlooks.Weekly(_seasonal, values, count));

    /// <summary>A zone's forecast as a function of minutes ahead, what it rests on, and when it was last measured.</summary>
    private sealed record ZoneModel(string Basis, int Count, DateTimeOffset? LastReading, Func<int, OutlookPoint> At)
    {
        public static ZoneModel FromTrend(IReadOnlyList<(DateTimeOffset At, double Count)> points, int count, DateTimeOffset? last) =>
            new("trend", count, last, Outlooks.Trend(points, count));
    }
}

/// <summary>
/// The two forecasts of a zone's next minutes, as pure functions of what is known now: used by <see cref="Forecaster"/>
/// and, unchanged, by the forecast-alert evaluation (tools/CrowdShield.ForecastEval).
/// </summary>
public static class Outlooks
{
    /// <summary>z of the 90th percentile of a normal distribution: the trend's 80 % interval is ± this many standard errors.</summary>
    private const double Z80 = 1.2816;


    /// <summary>
    /// The damped trend: count + slope·T·(1 − e^(−m/T)). Its interval is the linear fit's prediction error:
    /// the scatter of the half hour around its line, and the slope's own uncertainty carried over the horizon.
    /// </summary>
    public static Func<int, OutlookPoint> Trend(IReadOnlyList<(DateTimeOffset At, double Count)> points, int count)
    {
        var fit = Intelligence.Trend.Fit(points);
        return minutes =>
        {
            var reach = Forecaster.TrendMinutes * (1 - Math.Exp(-minutes / Forecaster.TrendMinutes));
            var mean = count + fit.SlopePerMinute * reach;
            var spread = Z80 * Math.Sqrt(fit.ResidualVariance + fit.SlopeVariance * reach * reach);
            return new OutlookPoint(minutes, mean, Math.Max(0, mean - spread), mean + spread);
        };
    }

    /// <summary>
    /// The weekly model from the current count: whole hours ahead with their intervals (from the model's own
    /// errors on the history), straight lines between. <paramref name="values"/> are hourly, the last one the hour in progress.
    /// </summary>
    public static Func<int, OutlookPoint> Weekly(SeasonalForecaster seasonal, IReadOnlyList<double> values, int count)
    {
        var series = values.ToArray();
        var origin = series.Length - 1;
        series[origin] = count; // the hour in progress: what is there now
        var nodes = new Dictionary<int, (double Mean, double Low, double High)> { [0] = (count, count, count) };
        return minutes =>
        {
            var hours = Math.Max(1, (int)Math.Ceiling(minutes / 60.0));
            var before = Node(hours - 1);
            var after = Node(hours);
            var fraction = (minutes - 60.0 * (hours - 1)) / 60.0;
            return new OutlookPoint(minutes,
                before.Mean + (after.Mean - before.Mean) * fraction,
                before.Low + (after.Low - before.Low) * fraction,
                before.High + (after.High - before.High) * fraction);
        };

        (double Mean, double Low, double High) Node(int hours)
        {
            if (!nodes.TryGetValue(hours, out var node))
            {
                nodes[hours] = node = seasonal.ForecastInterval(series, origin, hours);
            }
            return node;
        }
    }
}

/// <summary>A zone's forecast over the next minutes (one point per minute), from its count now.</summary>
public sealed record ZoneOutlook(string ZoneId, int Count, DateTimeOffset At, string Basis, IReadOnlyList<OutlookPoint> Path);

/// <summary>The forecast <see cref="Minutes"/> ahead, and its 80 % interval.</summary>
public readonly record struct OutlookPoint(int Minutes, double Mean, double Low, double High);

public static class Trend
{
    /// <summary>Least-squares line of a series (per minute): its slope, the variance of points around it, and the slope's variance.</summary>
    public static (double SlopePerMinute, double ResidualVariance, double SlopeVariance) Fit(IReadOnlyList<(DateTimeOffset At, double Count)> points)
    {
        var slope = SlopePerMinute(points);
        if (points.Count < 3)
        {
            return (slope, 0, 0);
        }
        var t0 = points[0].At;
        var xs = points.Select(p => (p.At - t0).TotalMinutes).ToArray();
        var meanX = xs.Average();
        var meanY = points.Average(p => p.Count);
        var intercept = meanY - slope * meanX;
        var residual = points.Select((p, i) => p.Count - (intercept + slope * xs[i])).Sum(r => r * r) / (points.Count - 2);
        var spreadX = xs.Sum(x => (x - meanX) * (x - meanX));
        return (slope, residual, spreadX > 0 ? residual / spreadX : 0);
    }

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
    public const double CountCriticalFactor = DensityBands.CriticalLoad;

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
