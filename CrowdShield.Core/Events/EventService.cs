using System.Globalization;
using System.Text.RegularExpressions;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using CrowdShield.Core.Zones;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Events;

public sealed record LatLng(double? Lat, double? Lng);

public sealed partial record ZoneRequest(
    string? Id, string? Name, IReadOnlyList<LatLng?>? Polygon, double? AreaM2, int? Capacity, int? AlertThreshold, double? GateWidthM = null)
{
    public const int MaxPolygonPoints = 1000;

    /// <summary>Every rule of a zone, with each bad field named under <paramref name="at"/> (e.g. "zones[1]").</summary>
    public void Validate(ValidationErrors errors, string at)
    {
        var prefix = at.Length == 0 ? "" : at + ".";
        errors.Required($"{prefix}name", Name, 200);
        if (Id is not null && !IsZoneId(Id))
        {
            errors.Add($"{prefix}id", $"'{prefix}id' must be 1–64 letters, digits, '-' or '_'.");
        }
        if (Polygon is not null)
        {
            if (Polygon.Count is < 3 or > MaxPolygonPoints)
            {
                errors.Add($"{prefix}polygon", $"'{prefix}polygon' must have 3 to {MaxPolygonPoints} points.");
            }
            for (var p = 0; p < Polygon.Count && p < MaxPolygonPoints; p++)
            {
                errors.Lat($"{prefix}polygon[{p}].lat", Polygon[p]?.Lat, required: true);
                errors.Lng($"{prefix}polygon[{p}].lng", Polygon[p]?.Lng, required: true);
            }
            // The shape is judged once every point is a point: simple (not crossing itself), 3 distinct corners, an area.
            var allPoints = Polygon.All(p => p is { Lat: { } lat, Lng: { } lng } && GeoPoint.IsValidLat(lat) && GeoPoint.IsValidLng(lng));
            if (allPoints && Polygon.Count is >= 3 and <= MaxPolygonPoints && ZoneGeometry.Problem(Points()) is { } problem)
            {
                errors.Add($"{prefix}polygon", $"'{prefix}polygon' {problem}.");
            }
        }
        if (AreaM2 is { } area && (!double.IsFinite(area) || area <= 0 || area > 100_000_000))
        {
            errors.Add($"{prefix}areaM2", $"'{prefix}areaM2' must be a positive number of m² (at most 100 km²).");
        }
        if (Capacity is < 0 or > 10_000_000)
        {
            errors.Add($"{prefix}capacity", $"'{prefix}capacity' must be in [0, 10000000].");
        }
        if (AlertThreshold is < 0 or > 100_000)
        {
            errors.Add($"{prefix}alertThreshold", $"'{prefix}alertThreshold' must be in [0, 100000].");
        }
        if (GateWidthM is { } width && (!double.IsFinite(width) || width <= 0 || width > 1000))
        {
            errors.Add($"{prefix}gateWidthM", $"'{prefix}gateWidthM' must be a positive width in metres (at most 1000).");
        }
    }

    public IReadOnlyList<GeoPoint> Points() =>
        ZoneGeometry.Open([.. (Polygon ?? []).Select(p => new GeoPoint(p!.Lat!.Value, p.Lng!.Value))]);

    public static bool IsZoneId(string id) => ZoneIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ZoneIdPattern();
}

public sealed record EventRequest(string? Name, LatLng? Center, IReadOnlyList<ZoneRequest?>? Zones)
{
    public const int MaxZones = 500;

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
        ValidateZones(errors, "zones", Zones);
    }

    /// <summary>A list of zones: each valid, ids unique.</summary>
    public static void ValidateZones(ValidationErrors errors, string field, IReadOnlyList<ZoneRequest?>? zones)
    {
        if (zones is { Count: > MaxZones })
        {
            errors.Add(field, $"'{field}' must hold at most {MaxZones} zones.");
            return;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; zones is not null && i < zones.Count; i++)
        {
            var at = $"{field}[{i}]";
            if (zones[i] is not { } zone)
            {
                errors.Add(at, $"'{at}' must be an object.");
                continue;
            }
            zone.Validate(errors, at);
            if (zone.Id is not null && ZoneRequest.IsZoneId(zone.Id) && !ids.Add(zone.Id))
            {
                errors.Add($"{at}.id", $"'{at}.id' repeats the id '{zone.Id}'.");
            }
        }
    }
}

/// <summary>The body of PATCH /events/{id}: only what is given changes.</summary>
public sealed record EventPatch(string? Name, LatLng? Center, string? TimeZone, int? Capacity)
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null)
        {
            errors.Required("name", Name, 200);
        }
        if (Center is not null)
        {
            errors.Lat("center.lat", Center.Lat, required: true);
            errors.Lng("center.lng", Center.Lng, required: true);
        }
        if (TimeZone is not null && TimeZones.Find(TimeZone) is null)
        {
            errors.Add("timeZone", $"'timeZone' '{TimeZone}' is not an IANA time zone (e.g. Europe/London).");
        }
        if (Capacity is < 0 or > 100_000_000)
        {
            errors.Add("capacity", "'capacity' must be in [0, 100000000].");
        }
    }
}

public enum ZoneChangeOutcome { Changed, EventNotFound, ZoneNotFound, DuplicateId }

/// <summary>
/// Events and their zones. Every change to an event or its zones is stored, dropped from every node's caches (the
/// live map rebuilds with the new zones), broadcast as <c>venue:updated</c> so every page redraws without a reload,
/// and audited. Only admins change events; Core checks it whoever calls.
/// </summary>
public sealed class EventService(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, IMessageBus bus, AuditLog audit, TimeProvider time)
{
    /// <exception cref="ForbiddenException">Only admins create events.</exception>
    public async Task<Event> CreateAsync(EventRequest request, Caller caller, CancellationToken cancellationToken = default)
    {
        RequireAdmin(caller);
        var eventId = Ids.New();
        var entity = new Event
        {
            Id = eventId, Name = request.Name!.Trim(), CenterLat = request.Center!.Lat!.Value, CenterLng = request.Center.Lng!.Value,
            CreatedAt = time.GetUtcNow(),
        };
        foreach (var (zone, index) in (request.Zones ?? []).Select((z, i) => (z!, i)))
        {
            entity.Zones.Add(ToZone(eventId, zone, zone.Id ?? $"zone-{index + 1}"));
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

    /// <summary>Changes the event's name, centre, time zone or licensed capacity.</summary>
    public async Task<Event?> PatchAsync(string eventId, EventPatch patch, Caller caller, CancellationToken cancellationToken = default)
    {
        RequireAdmin(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return null;
        }
        var changes = new List<string>();
        if (patch.Name is { } name && name.Trim() != entity.Name)
        {
            changes.Add($"name '{entity.Name}' → '{name.Trim()}'");
            entity.Name = name.Trim();
        }
        if (patch.Center is { Lat: { } lat, Lng: { } lng } && (lat, lng) != (entity.CenterLat, entity.CenterLng))
        {
            changes.Add($"centre → {lat}, {lng}");
            (entity.CenterLat, entity.CenterLng) = (lat, lng);
        }
        if (patch.TimeZone is { } zone && zone != entity.TimeZone)
        {
            changes.Add($"time zone {entity.TimeZone} → {zone}");
            entity.TimeZone = zone;
        }
        if (patch.Capacity is { } capacity && capacity != entity.Capacity)
        {
            changes.Add($"capacity {entity.Capacity?.ToString(CultureInfo.InvariantCulture) ?? "none"} → {capacity}");
            entity.Capacity = capacity;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (changes.Count > 0)
        {
            await ChangedAsync(entity, caller, AuditActions.EventChanged, $"event:{eventId}", string.Join("; ", changes));
        }
        return entity;
    }

    public async Task<(ZoneChangeOutcome, Zone?)> CreateZoneAsync(string eventId, ZoneRequest request, Caller caller, CancellationToken cancellationToken = default)
    {
        RequireAdmin(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return (ZoneChangeOutcome.EventNotFound, null);
        }
        var id = request.Id ?? NewZoneId(entity);
        if (entity.Zones.Any(z => z.Id == id))
        {
            return (ZoneChangeOutcome.DuplicateId, null);
        }
        var zone = ToZone(eventId, request, id);
        entity.Zones.Add(zone);
        await db.SaveChangesAsync(cancellationToken);
        await ChangedAsync(entity, caller, AuditActions.ZoneCreated, $"zone:{eventId}/{id}", Describe(zone));
        return (ZoneChangeOutcome.Changed, zone);
    }

    /// <summary>Replaces the whole zone (PUT): what the request leaves out goes back to its default.</summary>
    public async Task<(ZoneChangeOutcome, Zone?)> ReplaceZoneAsync(string eventId, string zoneId, ZoneRequest request, Caller caller, CancellationToken cancellationToken = default)
    {
        RequireAdmin(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return (ZoneChangeOutcome.EventNotFound, null);
        }
        if (entity.Zones.FirstOrDefault(z => z.Id == zoneId) is not { } zone)
        {
            return (ZoneChangeOutcome.ZoneNotFound, null);
        }
        var before = Describe(zone);
        Apply(zone, request);
        await db.SaveChangesAsync(cancellationToken);
        await ChangedAsync(entity, caller, AuditActions.ZoneChanged, $"zone:{eventId}/{zoneId}", $"{before} → {Describe(zone)}");
        return (ZoneChangeOutcome.Changed, zone);
    }

    public async Task<ZoneChangeOutcome> DeleteZoneAsync(string eventId, string zoneId, Caller caller, CancellationToken cancellationToken = default)
    {
        RequireAdmin(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return ZoneChangeOutcome.EventNotFound;
        }
        if (entity.Zones.FirstOrDefault(z => z.Id == zoneId) is not { } zone)
        {
            return ZoneChangeOutcome.ZoneNotFound;
        }
        entity.Zones.Remove(zone);
        db.Zones.Remove(zone);
        await db.SaveChangesAsync(cancellationToken);
        await ChangedAsync(entity, caller, AuditActions.ZoneDeleted, $"zone:{eventId}/{zoneId}", Describe(zone));
        return ZoneChangeOutcome.Changed;
    }

    /// <summary>
    /// Replaces every zone of the event (an imported GeoJSON, or the editor's save): zones matched by id are changed in
    /// place (their history stays theirs), new ids are added, zones not given are deleted.
    /// </summary>
    public async Task<Event?> ReplaceZonesAsync(string eventId, IReadOnlyList<ZoneRequest> zones, Caller caller, CancellationToken cancellationToken = default)
    {
        RequireAdmin(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return null;
        }
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var (added, changed) = (0, 0);
        foreach (var request in zones)
        {
            var id = request.Id ?? NewZoneId(entity);
            kept.Add(id);
            if (entity.Zones.FirstOrDefault(z => z.Id == id) is { } existing)
            {
                Apply(existing, request);
                changed++;
            }
            else
            {
                entity.Zones.Add(ToZone(eventId, request, id));
                added++;
            }
        }
        var removed = entity.Zones.Where(z => !kept.Contains(z.Id)).ToList();
        foreach (var zone in removed)
        {
            entity.Zones.Remove(zone);
            db.Zones.Remove(zone);
        }
        await db.SaveChangesAsync(cancellationToken);
        await ChangedAsync(entity, caller, AuditActions.ZoneChanged, $"event:{eventId}",
            $"zones replaced: {added} added, {changed} kept or changed, {removed.Count} removed ({string.Join(", ", removed.Select(z => z.Id))})");
        return entity;
    }

    private async Task ChangedAsync(Event entity, Caller caller, string action, string target, string details)
    {
        events.Invalidate(entity.Id);
        await bus.PublishAsync(entity.Id, MessageTypes.VenueUpdated, VenueUpdatedPayload.Of(entity), CancellationToken.None);
        await audit.RecordAsync(caller, action, target, details, entity.Id, CancellationToken.None);
    }

    private static Zone ToZone(string eventId, ZoneRequest request, string id)
    {
        var zone = new Zone { Id = id, EventId = eventId, Name = "" };
        Apply(zone, request);
        return zone;
    }

    private static void Apply(Zone zone, ZoneRequest request)
    {
        var polygon = request.Polygon is null ? [] : request.Points().ToList();
        zone.Name = request.Name!.Trim();
        zone.Polygon = polygon;
        // The area is what turns a count into a density; derive it from the polygon when not given.
        zone.AreaM2 = request.AreaM2 ?? (polygon.Count >= 3 ? Math.Round(Geo.AreaM2(polygon), 1) : null);
        zone.Capacity = request.Capacity;
        zone.AlertThreshold = request.AlertThreshold ?? Zone.DefaultAlertThreshold;
        zone.GateWidthM = request.GateWidthM;
    }

    private static string NewZoneId(Event entity)
    {
        for (var n = entity.Zones.Count + 1; ; n++)
        {
            if (entity.Zones.All(z => z.Id != $"zone-{n}"))
            {
                return $"zone-{n}";
            }
        }
    }

    private static string Describe(Zone zone) =>
        $"'{zone.Name}' ({zone.Polygon.Count} corners, {zone.AreaM2?.ToString("0", CultureInfo.InvariantCulture) ?? "?"} m², threshold {zone.AlertThreshold}, capacity {zone.Capacity?.ToString(CultureInfo.InvariantCulture) ?? "none"})";

    private static void RequireAdmin(Caller caller)
    {
        if (!caller.IsAdmin)
        {
            throw new ForbiddenException("Only an admin may change events and zones.");
        }
    }
}
