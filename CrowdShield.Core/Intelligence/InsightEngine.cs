using CrowdShield.Core.Diagnostics;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Intelligence;

/// <summary>
/// The event's risk from its live data: the worst zone's load, the 15-minute forecast, how fast zones are
/// filling, open alerts and recent field reports, each a weighted factor of the 0–100 score. The
/// recommendation names the zone and the action; the confidence says how fresh and complete the data are.
/// A configured remote model may replace score, recommendation and confidence; the factors stay ours.
/// </summary>
public sealed class InsightEngine(
    LiveMap map, EventDirectory events, ZoneHistory history, Forecaster forecaster, IRemoteRiskModel remote,
    IDbContextFactory<CrowdShieldDb> dbFactory, IOptions<MapOptions> options, CrowdShieldMetrics metrics, TimeProvider time)
{
    public static readonly TimeSpan ReportWindow = TimeSpan.FromMinutes(15);

    public async Task<Insight?> AssessAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var definition = await events.FindAsync(eventId, cancellationToken);
        if (definition is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var bands = options.Value.BandsFor(eventId);
        var zones = (await map.ZonesAsync(eventId, cancellationToken)).ToDictionary(z => z.ZoneId);
        var forecast = (await forecaster.PredictAsync(eventId, 15, cancellationToken))!.Predictions.ToDictionary(p => p.ZoneId);
        var series = await history.RecentAsync(eventId, now - Forecaster.TrendWindow, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var openAlerts = await db.Alerts.AsNoTracking()
            .Where(a => a.EventId == eventId && a.Status != AlertStatus.Resolved)
            .Select(a => a.Severity)
            .ToListAsync(cancellationToken);
        var reportsSince = now - ReportWindow;
        var recentReports = await db.Reports.CountAsync(r => r.EventId == eventId && r.CreatedAt >= reportsSince, cancellationToken);

        var features = definition.Zones.Select(zone =>
        {
            var occupancy = zones.GetValueOrDefault(zone.Id) ?? new ZoneDensity(zone.Id, 0, null, DensityBands.Low);
            var ahead = forecast.GetValueOrDefault(zone.Id);
            var trend = series.TryGetValue(zone.Id, out var points) ? Trend.SlopePerMinute(points) : 0;
            return (Zone: zone, Now: occupancy, Risk: Risk.OfZone(zone, occupancy, bands), Ahead: ahead, Trend: trend);
        }).OrderByDescending(z => Math.Max(z.Risk, z.Ahead?.Risk ?? 0)).ToList();
        var worst = features.FirstOrDefault();
        var rising = features.MaxBy(f => f.Trend);
        var critical = openAlerts.Count(s => s == AlertSeverity.Critical);

        var factors = new List<RiskFactor>
        {
            new("zone_load", 45, features.Count == 0 ? 0 : features.Max(f => f.Risk) / 100.0,
                features.Count == 0 ? "no zones" : Describe(features.MaxBy(f => f.Risk))),
            new("forecast_15m", 20, worst.Ahead is null ? 0 : features.Max(f => f.Ahead?.Risk ?? 0) / 100.0,
                worst.Ahead is null ? "no forecast" : $"{worst.Zone.Name}: {worst.Ahead.PredictedCount} expected in 15 min ({worst.Ahead.Level}, {worst.Ahead.Basis})"),
            new("inflow", 10, rising.Zone is null ? 0 : Math.Clamp(rising.Trend / Math.Max(1, rising.Zone.AlertThreshold / 10.0), 0, 1),
                rising.Zone is null ? "no trend" : $"{rising.Zone.Name}: {rising.Trend:+0.#;-0.#;0} people/min"),
            new("open_alerts", 15, Math.Clamp((openAlerts.Count + critical) / 4.0, 0, 1), $"{openAlerts.Count} open, {critical} critical"),
            new("field_reports", 10, Math.Clamp(recentReports / 5.0, 0, 1), $"{recentReports} in the last {ReportWindow.TotalMinutes:0} min"),
        };
        var score = (int)Math.Round(Math.Clamp(factors.Sum(f => f.Weight * f.Value), 0, 100));
        var recommendation = Recommend(score, worst.Zone, worst.Ahead, rising.Trend > 0 ? rising.Zone : null);
        var confidence = Confidence(definition, zones, series, now);

        var status = MlStatus.Builtin;
        if (remote.IsConfigured)
        {
            var answer = await remote.AssessAsync(new RiskFeatures(eventId,
                [.. features.Select(f => new ZoneFeatures(f.Zone.Id, f.Zone.Name, f.Now.Count, f.Now.Density, f.Now.Level, f.Trend,
                    f.Ahead?.PredictedCount ?? f.Now.Count, f.Ahead?.Risk ?? f.Risk))],
                openAlerts.Count, critical, recentReports, now), cancellationToken);
            if (answer is { RiskScore: >= 0 and <= 100, Confidence: >= 0 and <= 1 } && !string.IsNullOrWhiteSpace(answer.Recommendation))
            {
                (score, recommendation, confidence, status) = (answer.RiskScore, answer.Recommendation, answer.Confidence, MlStatus.Remote);
            }
            else
            {
                status = MlStatus.Fallback;
                metrics.ModelFellBack();
            }
        }
        return new Insight(eventId, score, recommendation, confidence, factors, status, now);
    }

    private static string Describe((ZoneDefinition Zone, ZoneDensity Now, int Risk, ZonePrediction? Ahead, double Trend) f) =>
        f.Now.Density is { } d
            ? $"{f.Zone.Name}: {f.Now.Count} people, {d:0.##}/m² ({f.Now.Level})"
            : $"{f.Zone.Name}: {f.Now.Count} people of a threshold of {f.Zone.AlertThreshold} ({f.Now.Level})";

    private static string Recommend(int score, ZoneDefinition? worst, ZonePrediction? ahead, ZoneDefinition? filling)
    {
        if (worst is null)
        {
            return "No zones are defined for this event yet.";
        }
        var isEntrance = worst.Name.Contains("gate", StringComparison.OrdinalIgnoreCase)
            || worst.Name.Contains("entrance", StringComparison.OrdinalIgnoreCase);
        return score switch
        {
            >= 70 when isEntrance => $"Hold the inflow at {worst.Name} now and open the next gate; send stewards to {worst.Name}.",
            >= 70 => $"Stop the inflow into {worst.Name}, open the exits next to it and send stewards to {worst.Name} now.",
            >= 45 => $"{worst.Name} is filling up{(ahead is null ? "" : $" ({ahead.PredictedCount} expected in 15 min)")}: redirect arrivals to quieter zones and prepare to open the gate next to it.",
            >= 25 when filling is not null => $"Watch {filling.Name}: people are still arriving; crowd levels are moderate.",
            >= 25 => $"Watch {worst.Name}; crowd levels are moderate.",
            _ => "Crowd levels are normal across the venue; no action needed.",
        };
    }

    /// <summary>How much of the venue the data describe: zones with a camera reading or pings in the last few minutes.</summary>
    private static double Confidence(EventDefinition definition, IReadOnlyDictionary<string, ZoneDensity> zones,
        IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset At, double Count)>> series, DateTimeOffset now)
    {
        if (definition.Zones.Count == 0)
        {
            return 0.2;
        }
        var fresh = definition.Zones.Count(z =>
            (series.TryGetValue(z.Id, out var points) && points.Count > 0 && now - points[^1].At < TimeSpan.FromMinutes(5))
            || zones.GetValueOrDefault(z.Id)?.Count > 0);
        return Math.Round(0.3 + 0.65 * fresh / definition.Zones.Count, 2);
    }
}
