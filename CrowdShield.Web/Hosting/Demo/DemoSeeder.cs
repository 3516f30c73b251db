using CrowdShield.Core.Cameras;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Zones;
using CrowdShield.Web.Auth;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Hosting.Demo;

/// <summary>
/// Creates the demo venue, its accounts and nine days of hourly history (so forecasts start from a weekly
/// pattern) the first time the app starts with Demo:Enabled; afterwards only makes sure the accounts work.
/// </summary>
public sealed class DemoSeeder(IDbContextFactory<CrowdShieldDb> dbFactory, UserAccounts accounts, EventDirectory events, TimeProvider time, ILogger<DemoSeeder> logger)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Events.AnyAsync(e => e.Id == DemoVenue.EventId, cancellationToken))
            {
                var now = time.GetUtcNow();
                db.Events.Add(new Event
                {
                    Id = DemoVenue.EventId, Name = DemoVenue.Name, CenterLat = DemoVenue.Center.Lat, CenterLng = DemoVenue.Center.Lng, CreatedAt = now,
                    Zones =
                    [
                        .. DemoVenue.Zones.Select(z => new Zone
                        {
                            Id = z.Id, EventId = DemoVenue.EventId, Name = z.Name, Polygon = [.. DemoVenue.Polygon(z)],
                            AreaM2 = DemoVenue.AreaM2(z), AlertThreshold = DemoVenue.Threshold(z),
                        }),
                    ],
                });
                db.HourlyCounts.AddRange(History(now));
                await db.SaveChangesAsync(cancellationToken);
                events.Invalidate(DemoVenue.EventId);
                logger.LogInformation("Created the demo venue '{Name}' with {Zones} zones and nine days of hourly history", DemoVenue.Name, DemoVenue.Zones.Count);
            }
        }
        foreach (var (email, password, name, role) in DemoUsers.All)
        {
            await accounts.EnsureUserAsync(email, password, name, role, [DemoVenue.EventId], cancellationToken);
        }
        logger.LogWarning("Demo is on. Open /events/{EventId} (operator), /field/{EventId} (field), /kiosk/{EventId} (viewer). Sign in as: {Accounts}",
            DemoVenue.EventId, DemoVenue.EventId, DemoVenue.EventId,
            string.Join("; ", DemoUsers.All.Select(u => $"{u.Role} {u.Email} / {u.Password}")));
    }

    /// <summary>An afternoon-and-evening festival day pattern, busier at weekends, for every zone's camera.</summary>
    private static IEnumerable<HourlyCount> History(DateTimeOffset now)
    {
        var currentHour = HourlyCount.HourOf(now);
        var random = new Random(2026);
        for (var h = 9 * 24; h >= 1; h--)
        {
            var hour = currentHour.AddHours(-h);
            var day = hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.25 : 1.0;
            var shape = Math.Max(0, Math.Sin((hour.Hour - 10) / 14.0 * Math.PI)); // open 10:00, peak ~17:00, quiet after midnight
            foreach (var zone in DemoVenue.Zones)
            {
                var mean = DemoVenue.Threshold(zone) * 0.55 * shape * day * (0.9 + 0.2 * random.NextDouble());
                yield return new HourlyCount
                {
                    EventId = DemoVenue.EventId, ZoneId = zone.Id, CameraId = zone.CameraId, HourStart = hour, Sum = Math.Round(mean), Readings = 1,
                };
            }
        }
    }
}
