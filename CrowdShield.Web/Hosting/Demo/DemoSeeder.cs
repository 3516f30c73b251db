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
                    TimeZone = DemoVenue.TimeZone, Capacity = DemoVenue.LicensedCapacity,
                    Zones = [.. DemoVenue.Zones.Select(NewZone)],
                });
                db.HourlyCounts.AddRange(History(now));
                await db.SaveChangesAsync(cancellationToken);
                events.Invalidate(DemoVenue.EventId);
                logger.LogInformation("Created the demo venue '{Name}' with {Zones} zones and nine days of hourly history", DemoVenue.Name, DemoVenue.Zones.Count);
            }
            else
            {
                await UpgradeAsync(db, cancellationToken);
            }
        }
        foreach (var (email, name) in DemoUsers.Stewards)
        {
            // Nobody signs in as a simulated steward: a random password nobody knows.
            await accounts.EnsureUserAsync(email, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)), name,
                Core.Users.Roles.Field, [DemoVenue.EventId], cancellationToken);
        }
        foreach (var (email, password, name, role) in DemoUsers.All)
        {
            await accounts.EnsureUserAsync(email, password, name, role, [DemoVenue.EventId], cancellationToken);
        }
        logger.LogWarning("Demo is on. Open /events/{EventId} (operator), /field/{EventId} (field), /kiosk/{EventId} (viewer). Sign in as: {Accounts}",
            DemoVenue.EventId, DemoVenue.EventId, DemoVenue.EventId,
            string.Join("; ", DemoUsers.All.Select(u => $"{u.Role} {u.Email} / {u.Password}")));
    }

    private static Zone NewZone(DemoZone z) => new()
    {
        Id = z.Id, EventId = DemoVenue.EventId, Name = z.Name, Polygon = [.. DemoVenue.Polygon(z)], AreaM2 = DemoVenue.AreaM2(z),
        AlertThreshold = DemoVenue.Threshold(z), Capacity = DemoVenue.Capacity(z), GateWidthM = DemoVenue.GateWidthM(z),
    };

    /// <summary>A demo seeded by an earlier version gets what the demo has now: the pit, capacities, gate widths, the time zone.</summary>
    private async Task UpgradeAsync(CrowdShieldDb db, CancellationToken cancellationToken)
    {
        var demo = await db.Events.Include(e => e.Zones).FirstAsync(e => e.Id == DemoVenue.EventId, cancellationToken);
        var changed = false;
        foreach (var zone in DemoVenue.Zones)
        {
            if (demo.Zones.FirstOrDefault(z => z.Id == zone.Id) is not { } existing)
            {
                demo.Zones.Add(NewZone(zone));
                changed = true;
            }
            else if (existing.Capacity is null)
            {
                (existing.Name, existing.Capacity, existing.GateWidthM) = (zone.Name, DemoVenue.Capacity(zone), DemoVenue.GateWidthM(zone));
                changed = true;
            }
        }
        if (demo.Capacity is null)
        {
            (demo.TimeZone, demo.Capacity) = (DemoVenue.TimeZone, DemoVenue.LicensedCapacity);
            changed = true;
        }
        if (changed)
        {
            await db.SaveChangesAsync(cancellationToken);
            events.Invalidate(DemoVenue.EventId);
        }
    }

    /// <summary>An afternoon-and-evening festival day pattern on the venue's clock, busier at weekends, for every zone.</summary>
    private static IEnumerable<HourlyCount> History(DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(DemoVenue.TimeZone);
        var currentHour = HourlyCount.HourOf(now, zone);
        var random = new Random(2026);
        for (var h = 9 * 24; h >= 1; h--)
        {
            var hour = currentHour.AddHours(-h);
            var local = TimeZoneInfo.ConvertTime(hour, zone);
            var day = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.25 : 1.0;
            var shape = Math.Max(0, Math.Sin((local.Hour - 10) / 14.0 * Math.PI)); // open 10:00, peak ~17:00, quiet after midnight
            foreach (var demoZone in DemoVenue.Zones)
            {
                var mean = DemoVenue.Threshold(demoZone) * 0.55 * shape * day * (0.9 + 0.2 * random.NextDouble());
                yield return new HourlyCount
                {
                    EventId = DemoVenue.EventId, ZoneId = demoZone.Id,
                    CameraId = DemoVenue.Counted(demoZone) ? Core.Counters.CrossingIngest.CountersReading : demoZone.CameraId,
                    HourStart = hour, Sum = Math.Round(mean), Readings = 1,
                };
            }
        }
    }
}
