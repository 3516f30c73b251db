using CrowdShield.Core.Alerts;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Intelligence;

/// <summary>
/// The event's risk score from its live data: the worst zone's load, its trend, open alerts and recent
/// field reports, each a weighted factor; the recommendation names the zone to act on.
/// </summary>
public sealed class InsightEngine(
    LiveMap map, VenueDirectory venues, ZoneHistory history, Forecaster forecaster,
    IDbContextFactory<CrowdShieldDb> dbFactory, IOptions<MapOptions> options, TimeProvider time)
{
    public async Task<Insight?> AssessAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var venue = await venues.FindAsync(eventId, cancellationToken);
        if (venue is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var bands = options.Value.Bands;
        var zones = await map.ZonesAsync(eventId, cancellationToken);
        var forecast = await forecaster.PredictAsync(eventId, 15, cancellationToken);
        var series = await history.RecentAsync(eventId, now - Forecaster.TrendWindow, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var openAlerts = await db.Alerts.AsNoTracking()
            .Where(a => a.EventId == eventId && a.Status != AlertStatus.Resolved)
            .Select(a => a.Severity)
            .ToListAsync(cancellationToken);
        var reportsSince = now.AddMinutes(-15);
        var recentReports = await db.Reports.CountAsync(r => r.EventId == eventId && r.CreatedAt >= reportsSince, cancellationToken);

        var zoneRisk = venue.Zones
            .Select(z => (Zone: z, Now: zones.FirstOrDefault(d => d.ZoneId == z.Id)))
            .Where(x => x.Now is not null)
            .Select(x => (x.Zone, x.Now, Risk: Risk.OfZone(x.Zone, x.Now!, bands)))
            .OrderByDescending(x => x.Risk)
            .ToList();
        var worst = zoneRisk.FirstOrDefault();
        var predictedWorst = forecast?.Predictions.MaxBy(p => p.Risk);
        var rising = series.Values.Select(Trend.SlopePerMinute).DefaultIfEmpty(0).Max();

        var factors = new List<RiskFactor>
        {
            new("zone_load", 45, (worst.Risk) / 100.0,
                worst.Zone is null ? "no zone data" : $"{worst.Zone.Name}: {worst.Now!.Count} people, level {worst.Now.Level}"),
            new("forecast_15m", 20, (predictedWorst?.Risk ?? 0) / 100.0,
                predictedWorst is null ? "no forecast" : $"{venue.FindZone(predictedWorst.ZoneId)?.Name}: {predictedWorst.PredictedCount} expected in 15 min"),
            new("trend", 10, Math.Clamp(rising / 5.0, 0, 1), $"fastest rise {rising:0.#} people/min"),
            new("open_alerts", 15, Math.Clamp(openAlerts.Sum(s => s == AlertSeverity.Critical ? 2 : 1) / 4.0, 0, 1),
                $"{openAlerts.Count} open ({openAlerts.Count(s => s == AlertSeverity.Critical)} critical)"),
            new("field_reports", 10, Math.Clamp(recentReports / 5.0, 0, 1), $"{recentReports} in the last 15 min"),
        };
        var score = (int)Math.Round(Math.Clamp(factors.Sum(f => f.Weight * f.Value), 0, 100));

        var freshZones = zones.Count(z => z.Count > 0 || series.ContainsKey(z.ZoneId));
        var confidence = venue.Zones.Count == 0 ? 0.2 : Math.Round(0.3 + 0.65 * freshZones / venue.Zones.Count, 2);

        return new Insight(eventId, score, Recommend(score, worst.Zone, predictedWorst, venue), confidence, factors, MlStatus.Builtin, now);
    }

    private static string Recommend(int score, VenueZone? worst, ZonePrediction? predicted, Venue venue)
    {
        if (worst is null)
        {
            return "No zone data yet: check that cameras and pings are reporting.";
        }
        var target = predicted is not null && predicted.Risk > 0 ? venue.FindZone(predicted.ZoneId) ?? worst : worst;
        return score switch
        {
            >= 70 => $"Hold inflow into {worst.Name}, open the exits next to it and dispatch stewards to {worst.Name} now.",
            >= 45 => $"{target.Name} is filling up: redirect arrivals to quieter zones and prepare to open the gate next to it.",
            >= 25 => $"Keep watching {target.Name}; crowd levels are moderate.",
            _ => "Crowd levels are normal across the venue.",
        };
    }
}
