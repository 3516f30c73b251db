using System.Globalization;
using System.Text;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Intelligence.Forecasting;
using CrowdShield.Web.Hosting.Demo;

namespace CrowdShield.ForecastEval;

/// <summary>
/// How forecast alerts would have behaved: the app's own outlooks (<see cref="Outlooks"/>) and opening/closing rules
/// (<see cref="ForecastWatch"/>) replayed over a count series, against the live crossings of the threshold.
/// </summary>
public static class AlertEvaluation
{
    public static readonly TimeSpan Horizon = new AlertOptions().ForecastHorizon;

    public sealed record Row(string Series, string Basis, string Threshold, double Days, int Crossings, int Forewarned, IReadOnlyList<double> Leads, int ForecastAlerts, int FalseAlarms)
    {
        public double MedianLead => Median(Leads);
        public double FalseAlarmsPerDay => FalseAlarms / Days;
    }

    /// <summary>The Melbourne sensor (hourly) with the weekly model, as an event with weeks of history runs; counts between hours interpolated, checked every 10 minutes.</summary>
    public static IEnumerable<Row> Hourly(string name, double[] y, double holdoutShare, IReadOnlyList<double> quantiles)
    {
        var seasonal = new SeasonalForecaster();
        var first = Math.Max((int)(y.Length * (1 - holdoutShare)), Enumerable.Range(1, y.Length).First(seasonal.CanForecast));
        var sorted = y.Order().ToArray();
        foreach (var q in quantiles)
        {
            var threshold = (int)Math.Round(sorted[(int)(q * (sorted.Length - 1))]);
            var zone = new Episodes(threshold);
            var start = DateTimeOffset.UnixEpoch;
            for (var h = first; h < y.Length - 1; h++)
            {
                var history = new ArraySegment<double>(y, 0, h + 1);
                for (var step = 0; step < 6; step++)
                {
                    var count = (int)Math.Round(y[h] + (y[h + 1] - y[h]) * step / 6.0);
                    var at = start.AddHours(h).AddMinutes(step * 10);
                    var path = Outlooks.Weekly(seasonal, history, count);
                    zone.Step(at, count, Outlook(count, at, "weekly", path));
                }
            }
            yield return zone.Result(name, "weekly (history)", $"P{q * 100:0} = {threshold}/h", (y.Length - 1 - first) / 24.0);
        }
    }

    /// <summary>
    /// The demo venue's crowd curve (every zone, as its cameras report it every 5 s) with the short-term trend, as a
    /// festival without history runs; the watch runs every 30 s on the last half hour in 10-s steps, as in the app.
    /// </summary>
    public static IEnumerable<Row> Demo(TimeSpan length, int seed)
    {
        var options = new DemoOptions();
        var random = new Random(seed);
        var zones = DemoVenue.Zones.ToDictionary(z => z.Id, z => (Zone: z, Episodes: new Episodes(DemoVenue.Threshold(z)), Points: new List<(DateTimeOffset At, double Count)>()));
        var start = DateTimeOffset.UnixEpoch;
        var nextCheck = TimeSpan.Zero;
        for (var elapsed = TimeSpan.Zero; elapsed < length; elapsed += options.Tick)
        {
            var at = start + elapsed;
            foreach (var (zone, episodes, points) in zones.Values)
            {
                var count = DemoVenue.Crowd(zone, elapsed, options.SurgeCycle, random.NextDouble());
                // One point per 10 s, the last reading in it (ZoneHistory.RecentAsync).
                var bucket = DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / 10 * 10);
                if (points.Count > 0 && points[^1].At == bucket)
                {
                    points[^1] = (bucket, count);
                }
                else
                {
                    points.Add((bucket, count));
                }
                episodes.Step(at, count, null);
            }
            if (elapsed >= nextCheck)
            {
                nextCheck += TimeSpan.FromSeconds(30);
                foreach (var (_, episodes, points) in zones.Values)
                {
                    points.RemoveAll(p => p.At < at - Forecaster.TrendWindow);
                    var count = (int)points[^1].Count;
                    var path = points.Count >= 2 ? Outlooks.Trend(points, count) : (_ => new OutlookPoint(0, count, count, count));
                    episodes.Step(at, count, Outlook(count, at, "trend", path));
                }
            }
        }
        var days = length.TotalDays;
        var all = zones.Values.Select(z => z.Episodes).ToList();
        yield return new Row("demo venue", "trend (no history)", "each zone's own", days,
            all.Sum(e => e.Crossings), all.Sum(e => e.Forewarned), [.. all.SelectMany(e => e.Leads)], all.Sum(e => e.ForecastAlerts), all.Sum(e => e.FalseAlarms));
    }

    private static ZoneOutlook Outlook(int count, DateTimeOffset at, string basis, Func<int, OutlookPoint> path) =>
        new("zone", count, at, basis, [.. Enumerable.Range(1, (int)Horizon.TotalMinutes).Select(m => path(m) with { Minutes = m })]);

    public static string ToMarkdown(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| series | forecast | threshold | days | crossings | forewarned | median lead (min) | lead P25–P75 (min) | forecast alerts | false alarms | false alarms/day |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var sorted = r.Leads.Order().ToList();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Series} | {r.Basis} | {r.Threshold} | {r.Days:0.#} | {r.Crossings} | {r.Forewarned} ({Share(r.Forewarned, r.Crossings)}) | {Show(r.MedianLead)} | {(sorted.Count == 0 ? "–" : $"{Show(Quantile(sorted, 0.25))}–{Show(Quantile(sorted, 0.75))}")} | {r.ForecastAlerts} | {r.FalseAlarms} | {r.FalseAlarmsPerDay:0.##} |"));
        }
        return text.ToString();
    }

    private static string Share(int part, int whole) => whole == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole:0} %");

    private static string Show(double minutes) => double.IsNaN(minutes) ? "–" : minutes.ToString("0.0", CultureInfo.InvariantCulture);

    private static double Median(IReadOnlyList<double> values) => Quantile([.. values.Order()], 0.5);

    private static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Count - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>
    /// One zone's alerts over time: a live episode from the first count over the threshold until it stays at or below
    /// <see cref="AlertOptions.RecoveryFactor"/> of it for <see cref="AlertOptions.RecoveryHold"/>; between episodes, a
    /// forecast alert opens and closes by <see cref="ForecastWatch"/>'s rules. A forecast alert open when the
    /// threshold is passed forewarned it (lead: from its opening); one that closed first was a false alarm.
    /// </summary>
    private sealed class Episodes(int threshold)
    {
        private static readonly AlertOptions Options = new();
        private bool _live;
        private DateTimeOffset? _recoveringSince;
        private DateTimeOffset? _forecastSince;

        public int Crossings { get; private set; }
        public int Forewarned { get; private set; }
        public List<double> Leads { get; } = [];
        public int ForecastAlerts { get; private set; }
        public int FalseAlarms { get; private set; }

        /// <summary>A reading at <paramref name="at"/>; <paramref name="outlook"/> is null between the watch's runs, when only the live state moves.</summary>
        public void Step(DateTimeOffset at, int count, ZoneOutlook? outlook)
        {
            if (_live)
            {
                if (count <= threshold * Options.RecoveryFactor)
                {
                    _recoveringSince ??= at;
                    if (at - _recoveringSince >= Options.RecoveryHold)
                    {
                        (_live, _recoveringSince) = (false, null);
                    }
                }
                else
                {
                    _recoveringSince = null;
                }
                return;
            }
            if (count > threshold)
            {
                (_live, _recoveringSince) = (true, null);
                Crossings++;
                if (_forecastSince is { } since)
                {
                    Forewarned++;
                    Leads.Add((at - since).TotalMinutes);
                    _forecastSince = null;
                }
                return;
            }
            if (outlook is null)
            {
                return;
            }
            var crossing = ForecastWatch.Crossing(outlook, threshold);
            if (_forecastSince is null && crossing is not null)
            {
                _forecastSince = at;
                ForecastAlerts++;
            }
            else if (_forecastSince is not null && crossing is null && ForecastWatch.Receded(outlook, threshold))
            {
                _forecastSince = null;
                FalseAlarms++;
            }
        }

        public Row Result(string series, string basis, string thresholdLabel, double days) =>
            new(series, basis, thresholdLabel, days, Crossings, Forewarned, Leads, ForecastAlerts, FalseAlarms);
    }
}
