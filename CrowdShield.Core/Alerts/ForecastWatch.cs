using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Alerts;

/// <summary>
/// Alerts ahead of the crush: a zone still below its threshold whose forecast passes it within
/// <see cref="AlertOptions.ForecastHorizon"/> gets a <c>forecast</c> alert saying when and how sure; the alert
/// closes by itself once the forecast stays clearly below the threshold, and becomes the live alert if the
/// threshold is passed (<see cref="AlertService.EvaluateZoneAsync"/>). Only zones measured live are judged.
/// </summary>
public sealed class ForecastWatch(Forecaster forecaster, EventDirectory events, AlertService alerts, IOptions<AlertOptions> options)
{
    /// <summary>An open forecast alert closes when the whole forecast stays below this share of the threshold (no flapping at the line).</summary>
    public const double RecedeBelow = 0.9;

    public async Task CheckAsync(string eventId, CancellationToken cancellationToken = default)
    {
        if (await events.FindAsync(eventId, cancellationToken) is not { } definition)
        {
            return;
        }
        var outlooks = (await forecaster.OutlookAsync(eventId, options.Value.ForecastHorizon, options.Value.LiveWindow, cancellationToken))
            .ToDictionary(o => o.ZoneId);
        var open = await alerts.ForecastZonesAsync(eventId, cancellationToken);
        foreach (var zone in definition.Zones)
        {
            var outlook = outlooks.GetValueOrDefault(zone.Id);
            if (outlook is not null && Crossing(outlook, zone.AlertThreshold) is { } forecast)
            {
                await alerts.ForecastAsync(definition, zone, forecast, cancellationToken);
            }
            else if (open.Contains(zone.Id) && (outlook is null || Receded(outlook, zone.AlertThreshold)))
            {
                // Receded, or the zone is no longer measured live: nothing supports the forecast any more.
                await alerts.ForecastRecededAsync(eventId, zone.Id, cancellationToken);
            }
        }
    }

    /// <summary>The first minute at which the forecast reaches the threshold, while the count is still below it; null otherwise.</summary>
    public static ZoneForecast? Crossing(ZoneOutlook outlook, int threshold)
    {
        if (threshold <= 0 || outlook.Count >= threshold)
        {
            return null;
        }
        foreach (var point in outlook.Path)
        {
            if (point.Mean >= threshold)
            {
                return new ZoneForecast(outlook.At.AddMinutes(point.Minutes), (int)Math.Round(point.Mean), (int)Math.Floor(point.Low), (int)Math.Ceiling(point.High));
            }
        }
        return null;
    }

    public static bool Receded(ZoneOutlook outlook, int threshold) =>
        outlook.Count < threshold && outlook.Path.All(p => p.Mean < RecedeBelow * threshold);
}
