using System.Text.RegularExpressions;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using CrowdShield.Core.Zones;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Events;

public sealed record LatLng(double? Lat, double? Lng);

public sealed record ZoneRequest(string? Id, string? Name, IReadOnlyList<LatLng?>? Polygon, double? AreaM2, int? Capacity, int? AlertThreshold);

public sealed partial record EventRequest(string? Name, LatLng? Center, IReadOnlyList<ZoneRequest?>? Zones)
{
    public const int MaxZones = 500;
    public const int MaxPolygonPoints = 1000;

    public void Validate(ValidationErrors errors)
    {
        errors.Required("name", Name, 200);
        if (Center is null)
        {
            errors.Add("center", "'center' is required: {lat, lng}.");
        }
        else
        {
            errors.Lat("center.lat", Center.Lat, required: true);
            errors.Lng("center.lng", Center.Lng, required: true);
        }
        if (Zones is { Count: > MaxZones })
        {
            errors.Add("zones", $"'zones' must hold at most {MaxZones} zones.");
            return;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; Zones is not null && i < Zones.Count; i++)
        {
            var zone = Zones[i];
            var at = $"zones[{i}]";
            if (zone is null)
            {
                errors.Add(at, $"'{at}' must be an object.");
                continue;
            }
            errors.Required($"{at}.name", zone.Name, 200);
            if (zone.Id is not null)
            {
                if (!ZoneId().IsMatch(zone.Id))
                {
                    errors.Add($"{at}.id", $"'{at}.id' must be 1–64 letters, digits, '-' or '_'.");
                }
                else if (!ids.Add(zone.Id))
                {
                    errors.Add($"{at}.id", $"'{at}.id' repeats the id '{zone.Id}'.");
                }
            }
            if (zone.Polygon is not null)
            {
                if (zone.Polygon.Count is < 3 or > MaxPolygonPoints)
                {
                    errors.Add($"{at}.polygon", $"'{at}.polygon' must have 3 to {MaxPolygonPoints} points.");
                }
                for (var p = 0; p < zone.Polygon.Count && p < MaxPolygonPoints; p++)
                {
                    errors.Lat($"{at}.polygon[{p}].lat", zone.Polygon[p]?.Lat, required: true);
                    errors.Lng($"{at}.polygon[{p}].lng", zone.Polygon[p]?.Lng, required: true);
                }
            }
            if (zone.AreaM2 is { } area && (!double.IsFinite(area) || area <= 0 || area > 100_000_000))
            {
                errors.Add($"{at}.areaM2", $"'{at}.areaM2' must be a positive number of m² (at most 100 km²).");
            }
            if (zone.Capacity is < 0 or > 10_000_000)
            {
                errors.Add($"{at}.capacity", $"'{at}.capacity' must be in [0, 10000000].");
            }
            if (zone.AlertThreshold is < 0 or > 100_000)
            {
                errors.Add($"{at}.alertThreshold", $"'{at}.alertThreshold' must be in [0, 100000].");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ZoneId();
}

/// <summary>Events and their zones.</summary>
public sealed class EventService(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, AuditLog audit, TimeProvider time)
{
    /// <exception cref="ForbiddenException">Only admins create events.</exception>
    public async Task<Event> CreateAsync(EventRequest request, Caller caller, CancellationToken cancellationToken = default)
    {
        if (!caller.IsAdmin)
        {
            throw new ForbiddenException("Only an admin may create events.");
        }
        var eventId = Ids.New();
        var entity = new Event
        {
            Id = eventId, Name = request.Name!.Trim(), CenterLat = request.Center!.Lat!.Value, CenterLng = request.Center.Lng!.Value,
            CreatedAt = time.GetUtcNow(),
        };
        foreach (var (zone, index) in (request.Zones ?? []).Select((z, i) => (z!, i)))
        {
            var polygon = zone.Polygon?.Select(p => new GeoPoint(p!.Lat!.Value, p.Lng!.Value)).ToList() ?? [];
            entity.Zones.Add(new Zone
            {
                Id = zone.Id ?? $"zone-{index + 1}",
                EventId = eventId,
                Name = zone.Name!.Trim(),
                Polygon = polygon,
                // The area is what turns a count into a density; derive it from the polygon when not given.
                AreaM2 = zone.AreaM2 ?? (polygon.Count >= 3 ? Math.Round(Geo.AreaM2(polygon), 1) : null),
                Capacity = zone.Capacity,
                AlertThreshold = zone.AlertThreshold ?? Zone.DefaultAlertThreshold,
            });
        }
        // Generated ids must not collide with ids the client chose for other zones.
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var zone in entity.Zones.ToList())
        {
            if (!taken.Add(zone.Id))
            {
                throw ValidationException.For("zones", $"Zone id '{zone.Id}' is used twice; give every zone an id or none.");
            }
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Events.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        events.Invalidate(eventId);
        await audit.RecordAsync(caller, AuditActions.EventCreated, $"event:{eventId}", $"'{entity.Name}' with {entity.Zones.Count} zones", eventId,
            CancellationToken.None);
        return entity;
    }

    public async Task<IReadOnlyList<Event>> ListAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Events.AsNoTracking().Include(e => e.Zones).AsQueryable();
        if (!caller.IsAdmin)
        {
            var ids = caller.EventIds.ToList();
            query = query.Where(e => ids.Contains(e.Id));
        }
        return await query.OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<Event?> GetAsync(string eventId, Caller caller, CancellationToken cancellationToken = default)
    {
        if (!caller.CanSee(eventId))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Events.AsNoTracking().Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
    }
}
